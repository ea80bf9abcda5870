package io.tfew.losses;

import io.tfew.api.loss.ChoiceLogProbs;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * A two-example, three-choice, three-token batch small enough to compute every loss by hand.
 *
 * <pre>
 * example 0, label 1: c0 = [-1.0, -2.0, pad]   c1 = [-0.5, -1.5, -1.0]   c2 = [-0.1, pad, pad]
 * example 1, label 0: c0 = [-0.2, pad, pad]    c1 = [-2.0, -0.7, pad]    c2 = padded choice
 * </pre>
 *
 * Padding holds -7 (or 0) rather than the contract's 0 in a few places, to show it is masked out.
 */
final class HandMadeBatch {
  static final float[][][] LOG_PROBS = {
      {{-1.0f, -2.0f, -7.0f}, {-0.5f, -1.5f, -1.0f}, {-0.1f, 0f, -7.0f}},
      {{-0.2f, -7.0f, 0f}, {-2.0f, -0.7f, 0f}, {-7.0f, -7.0f, 0f}}};
  static final float[][][] TOKEN_MASK = {
      {{1, 1, 0}, {1, 1, 1}, {1, 0, 0}},
      {{1, 0, 0}, {1, 1, 0}, {0, 0, 0}}};
  static final float[][] CHOICE_MASK = {{1, 1, 1}, {1, 1, 0}};
  static final int[] LABELS = {1, 0};

  private HandMadeBatch() {}

  /** Every operand a constant. */
  static ChoiceLogProbs constants(Ops tf) {
    return new ChoiceLogProbs(tf.constant(LOG_PROBS), tf.constant(TOKEN_MASK), tf.constant(CHOICE_MASK),
        tf.constant(LABELS));
  }

  /** The log-probs a fed placeholder (to differentiate against), the rest constants. */
  static ChoiceLogProbs withLogProbs(Ops tf, Placeholder<TFloat32> logProbs) {
    return new ChoiceLogProbs(logProbs, tf.constant(TOKEN_MASK), tf.constant(CHOICE_MASK), tf.constant(LABELS));
  }

  static Placeholder<TFloat32> logProbsPlaceholder(Ops tf) {
    return tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, -1, -1)));
  }

  static float[] flatLogProbs() {
    float[] out = new float[18];
    int i = 0;
    for (float[][] b : LOG_PROBS) {
      for (float[] c : b) {
        for (float v : c) {
          out[i++] = v;
        }
      }
    }
    return out;
  }

  static TFloat32 tensor(float[] flat) {
    TFloat32 t = TFloat32.tensorOf(Shape.of(2, 3, 3));
    t.asRawTensor().data().asFloats().write(flat);
    return t;
  }

  // ---- the losses by hand ----

  /** Gold tokens: -0.5, -1.5, -1.0 (example 0, c1) and -0.2 (example 1, c0): 3.2 / 4. */
  static final double LM = (0.5 + 1.5 + 1.0 + 0.2) / 4;

  /** Wrong tokens: example 0 c0 (-1, -2) and c2 (-0.1); example 1 c1 (-2, -0.7); the padded c2 is not one. */
  static final double UL = -(ul(-1.0) + ul(-2.0) + ul(-0.1) + ul(-2.0) + ul(-0.7)) / 5;

  /** beta: example 0 (-1.5, -1.0, -0.1), gold -1.0; example 1 (-0.2, -1.35), gold -0.2; padded c2 out. */
  static final double LN = (logSumExp(-1.5, -1.0, -0.1) + 1.0 + logSumExp(-0.2, -1.35) + 0.2) / 2;

  /** The same with exponent 0, i.e. sums: example 0 (-3, -3, -0.1), gold -3; example 1 (-0.2, -2.7). */
  static final double LN_SUM = (logSumExp(-3.0, -3.0, -0.1) + 3.0 + logSumExp(-0.2, -2.7) + 0.2) / 2;

  private static double ul(double logProb) {
    return Math.log(1.01 - Math.exp(logProb));
  }

  static double logSumExp(double... x) {
    double s = 0;
    for (double v : x) {
      s += Math.exp(v);
    }
    return Math.log(s);
  }
}
