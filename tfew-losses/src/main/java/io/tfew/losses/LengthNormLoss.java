package io.tfew.losses;

import io.tfew.api.loss.ChoiceLogProbs;
import io.tfew.api.loss.Loss;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Max;
import org.tensorflow.op.core.Sum;
import org.tensorflow.types.TFloat32;

/**
 * T-Few's length-normalized loss L_LN, eqs. (2)-(3) of Liu et al. 2022: a softmax cross-entropy over
 * each example's answer choices whose logits are the choices' length-normalized log-probabilities.
 *
 * <p>Eq. (2): {@code beta(x, y) = (1 / T) sum_t log p(y_t | x, y_<t)}, the mean token log-prob (EOS
 * counted). Eq. (3): {@code L_LN = -log(exp(beta(x, y)) / sum_c exp(beta(x, y_c)))} for the gold y,
 * averaged over the examples of the batch. Padded choices ({@code choiceMask} 0) are left out of the
 * sum over c.
 *
 * <p>T-Few generalises the 1/T to {@code 1 / T^length_norm} (config key {@code length_norm}, 1 in its
 * (IA)^3 recipe; 0 gives the plain sum): {@code choices_scores / torch.pow(count, length_norm)} in
 * {@code src/models/EncoderDecoder.py}. {@link #LengthNormLoss(double)} takes that exponent.
 *
 * <p>The log-sum-exp is written from Max/Exp/Sum/Log rather than LogSoftmax or
 * SparseSoftmaxCrossEntropyWithLogits, whose TF-Java gradients are wrong or missing.
 */
public final class LengthNormLoss implements Loss {
  /** Logit given to padded choices; exp of it minus any real score is exactly 0 in float32. */
  private static final float EXCLUDED = -1e9f;

  private final double exponent;

  /** The paper's loss: the length normalization is the mean, exponent 1. */
  public LengthNormLoss() {
    this(1.0);
  }

  /** @param exponent T-Few's {@code length_norm}: scores are {@code sum / count^exponent}; at least 0 */
  public LengthNormLoss(double exponent) {
    if (!(exponent >= 0) || Double.isInfinite(exponent)) {
      throw new IllegalArgumentException("length-norm exponent must be a finite number >= 0, got " + exponent);
    }
    this.exponent = exponent;
  }

  public double exponent() {
    return exponent;
  }

  @Override
  public Operand<TFloat32> build(Ops tf, ChoiceLogProbs batch) {
    Ops s = tf.withSubScope("length_norm_loss");
    Operand<TFloat32> choiceMask = batch.choiceMask();
    Operand<TFloat32> sums = s.sum(s.math.mul(batch.tokenLogProbs(), batch.tokenMask()), s.constant(2),
        Sum.keepDims(false));
    // At least 1 token: a padded choice has count 0, and x / 0 would put NaN into the gradient even
    // after the choice is masked out (the masked branch still receives 0 / 0).
    Operand<TFloat32> counts = s.math.maximum(s.sum(batch.tokenMask(), s.constant(2), Sum.keepDims(false)),
        s.constant(1f));
    Operand<TFloat32> norm = exponent == 1.0 ? counts : s.math.pow(counts, s.constant((float) exponent));
    Operand<TFloat32> beta = s.math.realDiv(sums, norm);
    // Padded choices get a logit of -1e9 so that they vanish from the softmax; the score itself is
    // multiplied by the mask, so no gradient reaches them either.
    Operand<TFloat32> logits = s.math.add(s.math.mul(beta, choiceMask),
        s.math.mul(s.math.sub(choiceMask, s.constant(1f)), s.constant(-EXCLUDED)));
    // log-sum-exp shifted by the row max; the shift cancels, so it needs no gradient.
    Operand<TFloat32> max = s.stopGradient(s.max(logits, s.constant(1), Max.keepDims(true)));
    Operand<TFloat32> sumExp = s.sum(s.math.mul(s.math.exp(s.math.sub(logits, max)), choiceMask), s.constant(1),
        Sum.keepDims(false));
    Operand<TFloat32> logSumExp = s.math.add(s.math.log(sumExp), s.reshape(max, s.constant(new int[] {-1})));
    Operand<TFloat32> goldLogit = s.sum(s.math.mul(logits, ChoiceMasks.gold(s, batch)), s.constant(1),
        Sum.keepDims(false));
    return s.math.mean(s.math.sub(logSumExp, goldLogit), s.constant(0));
  }
}
