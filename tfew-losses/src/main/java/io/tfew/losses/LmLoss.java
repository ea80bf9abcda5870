package io.tfew.losses;

import io.tfew.api.loss.ChoiceLogProbs;
import io.tfew.api.loss.Loss;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * T-Few's language-modelling loss L_LM (Liu et al. 2022, section 3.2): the cross-entropy of the gold
 * choice's tokens, averaged over every gold-choice token of the batch (EOS counted).
 *
 * <p>{@code L_LM = -(sum_b sum_t log p(y_bt | x_b, y_b<t)) / (sum_b T_b)}.
 *
 * <p>A token mean over the batch, not a mean of per-example means: t-few's
 * {@code src/models/EncoderDecoder.py} computes it as one {@code F.cross_entropy} over the flattened
 * gold tokens with padding set to -100 (ignored), which is exactly this. A batch without gold tokens
 * gives 0.
 */
public final class LmLoss implements Loss {
  @Override
  public Operand<TFloat32> build(Ops tf, ChoiceLogProbs batch) {
    Ops s = tf.withSubScope("lm_loss");
    Operand<TFloat32> goldTokens = ChoiceMasks.tokensOf(s, batch, ChoiceMasks.gold(s, batch));
    Operand<TFloat32> logLikelihood = ChoiceMasks.sumAll(s, s.math.mul(batch.tokenLogProbs(), goldTokens));
    return s.math.neg(s.math.realDiv(logLikelihood, ChoiceMasks.countAtLeastOne(s, goldTokens)));
  }
}
