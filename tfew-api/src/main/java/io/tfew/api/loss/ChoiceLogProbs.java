package io.tfew.api.loss;

import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * The model's view of a rank-classification batch that losses are computed from: for every example
 * {@code b}, answer choice {@code c} and target token {@code t}, the log-probability of that token.
 *
 * <p>Choices are padded to a common count and length; the masks say which entries are real.
 *
 * <pre>{@code
 * // mean token log-prob of each choice: [B, C]
 * Operand<TFloat32> sum = tf.sum(tf.math.mul(b.tokenLogProbs(), b.tokenMask()), tf.constant(2));
 * Operand<TFloat32> mean = tf.math.divNoNan(sum, tf.sum(b.tokenMask(), tf.constant(2)));
 * }</pre>
 *
 * @param tokenLogProbs {@code [B, C, T]} log p(token | input, earlier tokens); 0 at padding
 * @param tokenMask {@code [B, C, T]} 1 for real tokens (EOS included), 0 for padding
 * @param choiceMask {@code [B, C]} 1 for real choices, 0 for padded ones
 * @param labels {@code [B]} index of the gold choice
 */
public record ChoiceLogProbs(Operand<TFloat32> tokenLogProbs, Operand<TFloat32> tokenMask,
    Operand<TFloat32> choiceMask, Operand<TInt32> labels) {}
