package io.tfew.core.optim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

class FusedSgdTest {
  private static final float[] W0 = {0.5f, -1f, 2f, 1.5f, 0.25f, -0.75f};
  private static final float[] X = {1f, 2f};

  /**
   * y = x reshape(identity(W)), loss = sum(y^2), with W of shape [6] viewed as [2, 3] and x a [1, 2]
   * variable, so that the backward pass reads W's view for dL/dx.
   */
  private record Net(Variable<TFloat32> w, Variable<TFloat32> x, Operand<TFloat32> loss, List<Operand<TFloat32>> grads,
      GraphOperation matMul, GraphOperation outsideTheStep) {
    static Net build(Ops tf) {
      Variable<TFloat32> w = tf.withName("w").variable(Shape.of(6), TFloat32.class);
      Variable<TFloat32> x = tf.withName("x").variable(Shape.of(1, 2), TFloat32.class);
      Operand<TFloat32> view = tf.reshape(tf.identity(w), tf.constant(new long[] {2, 3}));
      Operand<TFloat32> y = tf.linalg.matMul(x, view);
      Operand<TFloat32> loss = tf.sum(tf.math.square(y), tf.constant(new int[] {0, 1}));
      var gradients = tf.gradients(loss, List.of(w, x));
      // Reads w but is not needed for the step, like an evaluation graph over the same weights.
      Operand<TFloat32> eval = tf.withName("eval").math.mul(w, w);
      return new Net(w, x, loss, List.of(gradients.dy(0), gradients.dy(1)), (GraphOperation) y.op(),
          (GraphOperation) eval.op());
    }

    Op update(Ops tf) {
      return FusedSgd.update(tf, List.of(w, x), grads, tf.constant(0.1f), List.of(loss));
    }
  }

  @Test
  void theUpdateWaitsForEveryReaderOfTheOldValueInTheStepAndNoOther() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Net net = Net.build(tf);
      Op apply = net.update(tf);
      GraphOperation update = ((GraphOperation) apply.op()).controlInputs().stream()
          .filter(o -> o.inputs().get(0).op().equals(net.w().op())).findFirst().orElseThrow();
      assertThat(update.type()).isEqualTo("ApplyGradientDescent");
      Set<GraphOperation> waitsFor = update.controlInputs();
      Set<String> types = waitsFor.stream().map(GraphOperation::type).collect(Collectors.toSet());
      // The forward matmul reads W only through Identity and Reshape, which share W's buffer.
      assertThat(waitsFor).contains(net.matMul()).doesNotContain(net.outsideTheStep());
      assertThat(types).contains("Identity", "Reshape");
      // The backward pass reads W too: dL/dx = dL/dy view^T is a second MatMul on the view.
      assertThat(waitsFor.stream().filter(o -> o.type().equals("MatMul")).count()).isGreaterThanOrEqualTo(2);
    }
  }

  @Test
  void appliesSgdWithTheGivenStepSize() {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Net net = Net.build(tf);
      Op apply = net.update(tf);
      s.runner().addTarget(tf.assign(net.w(), tf.constant(W0))).addTarget(tf.assign(net.x(), tf.constant(new float[][] {X})))
          .run().close();
      s.runner().addTarget(apply).run().close();
      // y_j = sum_i x_i W[i][j]; dL/dW[i][j] = 2 y_j x_i.
      // dL/dx_i = sum_j 2 y_j W[i][j], both from the old values.
      float[] expectedW = new float[6];
      float[] expectedX = X.clone();
      for (int j = 0; j < 3; j++) {
        float y = X[0] * W0[j] + X[1] * W0[3 + j];
        for (int i = 0; i < 2; i++) {
          expectedW[3 * i + j] = W0[3 * i + j] - 0.1f * 2 * y * X[i];
          expectedX[i] -= 0.1f * 2 * y * W0[3 * i + j];
        }
      }
      try (Result r = s.runner().fetch(net.w()).fetch(net.x()).run()) {
        float[] w = new float[6];
        float[] x = new float[2];
        ((TFloat32) r.get(0)).asRawTensor().data().asFloats().read(w);
        ((TFloat32) r.get(1)).asRawTensor().data().asFloats().read(x);
        assertThat(w).containsExactly(expectedW, org.assertj.core.data.Offset.offset(1e-5f));
        assertThat(x).containsExactly(expectedX, org.assertj.core.data.Offset.offset(1e-5f));
      }
    }
  }
}
