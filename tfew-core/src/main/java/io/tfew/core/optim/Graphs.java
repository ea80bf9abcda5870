package io.tfew.core.optim;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/** Small graph helpers the optimizers share. */
final class Graphs {
  private Graphs() {}

  static Operand<TFloat32> scalar(Ops tf, double value) {
    return tf.constant((float) value);
  }

  /** Root mean square over all elements, whatever the rank. */
  static Operand<TFloat32> rms(Ops tf, Operand<TFloat32> x) {
    Operand<TFloat32> flat = tf.reshape(x, tf.constant(new long[] {-1}));
    return tf.math.sqrt(tf.math.mean(tf.math.square(flat), tf.constant(0)));
  }

  /** Sum of squares over all elements, whatever the rank. */
  static Operand<TFloat32> sumOfSquares(Ops tf, Operand<TFloat32> x) {
    Operand<TFloat32> flat = tf.reshape(x, tf.constant(new long[] {-1}));
    return tf.sum(tf.math.square(flat), tf.constant(0));
  }

  /**
   * Checks that variables and gradients pair up and that every variable has a static shape, which
   * the slots are built from.
   */
  static void checkPairs(List<Variable<TFloat32>> variables, List<Operand<TFloat32>> gradients) {
    if (variables.size() != gradients.size()) {
      throw new IllegalArgumentException(variables.size() + " variables but " + gradients.size() + " gradients");
    }
    for (int i = 0; i < variables.size(); i++) {
      Variable<TFloat32> v = variables.get(i);
      Shape shape = v.shape();
      if (shape.isUnknown() || shape.hasUnknownDimension()) {
        throw new IllegalArgumentException("variable '" + v.op().name() + "' has no fully known static shape: " + shape);
      }
      Shape g = gradients.get(i).shape();
      if (!g.isUnknown() && !g.hasUnknownDimension() && !g.equals(shape)) {
        throw new IllegalArgumentException("variable '" + v.op().name() + "' has shape " + shape
            + " but its gradient has shape " + g);
      }
    }
  }
}
