package io.tfew.losses;

import io.tfew.api.loss.ChoiceLogProbs;
import io.tfew.api.loss.Loss;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * T-Few's unlikelihood loss L_UL, eq. (1) of Liu et al. 2022: pushes down the probability of every
 * token of every wrong answer choice.
 *
 * <p>{@code L_UL = -(sum_n sum_t log(1.01 - p(yhat_nt | x, yhat_n<t))) / (sum_n T_n)}, where n runs over
 * the wrong choices of the whole batch (real choices, {@code choiceMask} 1, that are not the label) and
 * t over their non-pad tokens, EOS counted.
 *
 * <p>The paper writes {@code log(1 - p)}; t-few's {@code src/models/EncoderDecoder.py} computes
 * {@code -torch.log(1 - torch.exp(cand_loglikely) + 1e-2)}, and the 1e-2 keeps the log finite when a
 * wrong choice already has p = 1. It is not a config key in T-Few, so it is fixed here too.
 *
 * <p>One deliberate difference from that code: t-few sets gold and padded entries to log-prob -100 and
 * sums over all entries, so each of them adds {@code -log(1.01) ~ -0.00995} to the numerator (but not to
 * the denominator). That constant changes the value, not the gradient; this class leaves those entries
 * out, as eq. (1) does and as the parity fixture's {@code loss_tfew_ul} does. A batch without wrong
 * choices gives 0.
 */
public final class UnlikelihoodLoss implements Loss {
  /** {@code 1 + 1e-2} of t-few's {@code 1 - exp(logp) + 1e-2}. */
  static final float ONE_PLUS_EPSILON = 1.01f;

  @Override
  public Operand<TFloat32> build(Ops tf, ChoiceLogProbs batch) {
    Ops s = tf.withSubScope("unlikelihood_loss");
    Operand<TFloat32> gold = ChoiceMasks.gold(s, batch);
    Operand<TFloat32> wrongTokens = ChoiceMasks.tokensOf(s, batch, ChoiceMasks.wrong(s, batch, gold));
    // Excluded entries get log-prob -100 (p ~ 0) before exp, so that whatever sits there, exp and log
    // stay finite and their zero-weighted gradients cannot turn into 0 * inf = NaN.
    Operand<TFloat32> logProbs = s.math.add(s.math.mul(batch.tokenLogProbs(), wrongTokens),
        s.math.mul(s.math.sub(wrongTokens, s.constant(1f)), s.constant(100f)));
    Operand<TFloat32> p = s.math.exp(logProbs);
    Operand<TFloat32> perToken = s.math.neg(s.math.log(s.math.sub(s.constant(ONE_PLUS_EPSILON), p)));
    Operand<TFloat32> total = ChoiceMasks.sumAll(s, s.math.mul(perToken, wrongTokens));
    return s.math.realDiv(total, ChoiceMasks.countAtLeastOne(s, wrongTokens));
  }
}
