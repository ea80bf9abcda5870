package io.tfew.api.loss;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * A training objective over a rank-classification batch, as a scalar graph operand. The trainer sums
 * the configured losses with their YAML weights ({@code losses: {lm: 1.0, unlikelihood: 1.0}}).
 *
 * <pre>{@code
 * Loss lm = (tf, batch) -> {
 *   Operand<TFloat32> gold = tf.oneHot(batch.labels(), ...);  // select the gold choice's tokens
 *   ...
 *   return tf.math.neg(tf.math.divNoNan(goldLogProbSum, goldTokenCount));
 * };
 * }</pre>
 */
@FunctionalInterface
public interface Loss {
  Operand<TFloat32> build(Ops tf, ChoiceLogProbs batch);
}
