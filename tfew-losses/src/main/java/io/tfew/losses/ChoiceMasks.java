package io.tfew.losses;

import io.tfew.api.loss.ChoiceLogProbs;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Sum;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Mask arithmetic the three losses share. Everything here depends only on the masks and labels, never
 * on {@code tokenLogProbs}, so none of it sits on a gradient path: the losses stay differentiable
 * through plain Mul/Sum/RealDiv/Exp/Log, whose TF-Java gradients are correct at any rank (see
 * tensorflow-java-notes.md), instead of LogSoftmax or SparseSoftmaxCrossEntropyWithLogits.
 */
final class ChoiceMasks {
  private ChoiceMasks() {}

  /** {@code [B, C]}: 1 at each example's gold choice, 0 elsewhere. */
  static Operand<TFloat32> gold(Ops tf, ChoiceLogProbs batch) {
    // The choice count comes from the [B, C] mask's shape, not from tokenLogProbs, so that no Shape op
    // hangs off the differentiable input.
    Operand<TInt32> numChoices = tf.gather(tf.shape(batch.choiceMask()), tf.constant(1), tf.constant(0));
    return tf.oneHot(batch.labels(), numChoices, tf.constant(1f), tf.constant(0f));
  }

  /** {@code [B, C]}: 1 at real choices that are not the gold one. */
  static Operand<TFloat32> wrong(Ops tf, ChoiceLogProbs batch, Operand<TFloat32> gold) {
    return tf.math.mul(batch.choiceMask(), tf.math.sub(tf.constant(1f), gold));
  }

  /** {@code [B, C, T]}: the real tokens of the choices that {@code choiceWeights} ({@code [B, C]}) selects. */
  static Operand<TFloat32> tokensOf(Ops tf, ChoiceLogProbs batch, Operand<TFloat32> choiceWeights) {
    return tf.math.mul(batch.tokenMask(), tf.expandDims(choiceWeights, tf.constant(-1)));
  }

  /** Sum of all entries, at least 1, so that a batch with nothing selected gives loss 0 rather than NaN. */
  static Operand<TFloat32> countAtLeastOne(Ops tf, Operand<TFloat32> mask) {
    return tf.math.maximum(sumAll(tf, mask), tf.constant(1f));
  }

  /** Sum over every axis of a rank-3 tensor, to a scalar. */
  static Operand<TFloat32> sumAll(Ops tf, Operand<TFloat32> x) {
    return tf.sum(x, tf.constant(new int[] {0, 1, 2}), Sum.keepDims(false));
  }
}
