package io.tfew.core.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

class FfnActivationTest {

  @Test
  void geluNewAgreesWithHuggingFacesTanhFormToFloatRounding() {
    float[] x = new float[4001];
    for (int i = 0; i < x.length; i++) {
      x[i] = -12f + 24f * i / (x.length - 1);
    }
    float[] y = apply(FfnActivation.GELU_NEW, x);
    for (int i = 0; i < x.length; i++) {
      double v = x[i];
      double expected = 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v)));
      assertThat(Math.abs(y[i] - expected)).as("gelu_new(%s) = %s, expected %s", v, y[i], expected)
          .isLessThanOrEqualTo(1e-6 * Math.max(1, Math.abs(v)));
    }
    // Far out, the sigmoid saturates exactly as tanh does: the identity on the right, zero on the left.
    assertThat(apply(FfnActivation.GELU_NEW, new float[] {-1e4f, 1e4f})).containsExactly(-0f, 1e4f);
  }

  private static float[] apply(FfnActivation activation, float[] x) {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      try (Result r = s.runner().fetch(activation.apply(tf, tf.constant(x))).run()) {
        TFloat32 t = (TFloat32) r.get(0);
        float[] out = new float[x.length];
        t.asRawTensor().data().asFloats().read(out);
        return out;
      }
    }
  }
}
