package io.tfew.core.model;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Max;
import org.tensorflow.op.core.Sum;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * log p(target token) from logits, built from primitive ops on a rank-2 view.
 *
 * <p>TensorFlow 2.18's {@code LogSoftmax} gradient is wrong at rank 3 and above (it reduces over axis
 * 1), and {@code SparseSoftmaxCrossEntropyWithLogits} has no gradient in TF-Java; see
 * {@code docs/tensorflow-java-notes.md}. So: logit of the target minus logsumexp, on
 * {@code [rows * length, vocab]}.
 */
public final class TokenLogProbs {
  private TokenLogProbs() {}

  /**
   * @param logits {@code [R, T, V]}
   * @param targets {@code [R, T]} token ids in {@code [0, V)}
   * @return {@code [R, T]} log-probabilities
   */
  public static Operand<TFloat32> of(Ops tf, Operand<TFloat32> logits, Operand<TInt32> targets) {
    GraphShapes shapes = new GraphShapes(tf);
    Operand<TInt32> vocab = shapes.dim(logits, 2);
    Operand<TFloat32> flat = tf.reshape(logits, shapes.shape(-1, vocab));
    Operand<TInt32> flatTargets = tf.reshape(targets, tf.constant(new int[] {-1}));
    Operand<TFloat32> max = tf.stopGradient(tf.max(flat, tf.constant(1), Max.keepDims(true)));
    Operand<TFloat32> shifted = tf.math.sub(flat, max);
    Operand<TFloat32> logSumExp = tf.math.log(tf.sum(tf.math.exp(shifted), tf.constant(1)));
    Operand<TInt32> rows = tf.range(tf.constant(0), shapes.dim(flatTargets, 0), tf.constant(1));
    Operand<TInt32> index = tf.stack(List.of(rows, flatTargets), org.tensorflow.op.core.Stack.axis(1L));
    Operand<TFloat32> picked = tf.gatherNd(shifted, index);
    Operand<TFloat32> logProbs = tf.math.sub(picked, logSumExp);
    return tf.reshape(logProbs, tf.shape(targets));
  }

  /** Sum over {@code axis} of {@code values * mask}. */
  public static Operand<TFloat32> maskedSum(Ops tf, Operand<TFloat32> values, Operand<TFloat32> mask, int axis) {
    return tf.sum(tf.math.mul(values, mask), tf.constant(axis), Sum.keepDims(false));
  }
}
