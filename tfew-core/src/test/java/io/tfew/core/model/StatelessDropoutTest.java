package io.tfew.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

class StatelessDropoutTest {

  @Test
  void thresholdsAndTheDropProbabilityTheyGive() {
    assertThat(StatelessDropout.threshold(0)).isZero();
    assertThat(StatelessDropout.threshold(0.1)).isEqualTo(6554);
    assertThat(StatelessDropout.dropProbability(0.1)).isCloseTo(0.1, within(1e-5));
    assertThat(StatelessDropout.threshold(0.5)).isEqualTo(32768);
    assertThat(StatelessDropout.threshold(0.9999999)).isEqualTo(65535);
    assertThatThrownBy(() -> StatelessDropout.threshold(1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> StatelessDropout.threshold(-0.1)).isInstanceOf(IllegalArgumentException.class);
  }

  /** An even last dimension (two draws per 32 bits), an even middle one, and only odd ones (one draw each). */
  @Test
  void dropsAtTheRateAndScalesTheRestForEveryKindOfStaticShape() {
    long[][] staticShapes = {{64, 30, 512}, {-1, 8, 99, 99}, {-1, 301, 333}};
    Shape[] fedShapes = {Shape.of(64, 30, 512), Shape.of(13, 8, 99, 99), Shape.of(7, 301, 333)};
    for (int i = 0; i < staticShapes.length; i++) {
      long[] shape = staticShapes[i];
      Shape fed = fedShapes[i];
      float[] y = dropOnes(shape, fed, 0.1, new long[] {3, 4});
      double p = StatelessDropout.dropProbability(0.1);
      float scale = (float) (1 / (1 - p));
      long dropped = 0;
      for (float v : y) {
        assertThat(v == 0f || v == scale).as("every value is dropped or scaled by exactly 1/(1-p)").isTrue();
        dropped += v == 0f ? 1 : 0;
      }
      // Binomial: n is 700,000 or more, so 6 standard deviations are under 0.0022.
      assertThat(dropped / (double) y.length).as("drop fraction, static shape %s", java.util.Arrays.toString(shape))
          .isCloseTo(p, within(6 * Math.sqrt(p * (1 - p) / y.length)));
    }
  }

  @Test
  void theMaskIsAFunctionOfTheSeedAlone() {
    long[] shape = {-1, 16, 64};
    Shape fed = Shape.of(32, 16, 64);
    float[] a = dropOnes(shape, fed, 0.3, new long[] {1, 2});
    assertThat(dropOnes(shape, fed, 0.3, new long[] {1, 2})).containsExactly(a);
    assertThat(dropOnes(shape, fed, 0.3, new long[] {1, 3})).isNotEqualTo(a);
  }

  @Test
  void aRateBelowOneDrawIsNoDropout() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> x = tf.constant(new float[] {1, 2, 3});
      assertThat(StatelessDropout.apply(tf, x, 1e-6, tf.constant(new long[] {0, 0}))).isSameAs(x);
    }
  }

  private static float[] dropOnes(long[] staticShape, Shape fed, double rate, long[] seed) {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> x = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(staticShape)));
      Operand<TFloat32> y = StatelessDropout.apply(tf, x, rate, tf.constant(seed));
      float[] ones = new float[Math.toIntExact(fed.size())];
      java.util.Arrays.fill(ones, 1f);
      try (TFloat32 in = TFloat32.tensorOf(fed)) {
        in.asRawTensor().data().asFloats().write(ones);
        try (Result r = s.runner().feed(x, in).fetch(y).run()) {
          TFloat32 t = (TFloat32) r.get(0);
          assertThat(t.shape()).isEqualTo(fed);
          float[] out = new float[ones.length];
          t.asRawTensor().data().asFloats().read(out);
          return out;
        }
      }
    }
  }
}
