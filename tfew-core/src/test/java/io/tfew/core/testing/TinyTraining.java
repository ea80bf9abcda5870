package io.tfew.core.testing;

import io.tfew.api.loss.ChoiceLogProbs;
import io.tfew.api.loss.Loss;
import io.tfew.core.score.EncodedExample;
import io.tfew.core.train.ExampleSource;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Sum;
import org.tensorflow.types.TFloat32;

/**
 * What core's and the plugins' training tests share: a loss that needs no loss plugin and a small
 * learnable task over the parity fixtures' word ids.
 */
public final class TinyTraining {
  private TinyTraining() {}

  /** Token-mean negative log-likelihood of the gold choices. */
  public static final Loss GOLD_NLL = (Ops tf, ChoiceLogProbs b) -> {
    Operand<TFloat32> gold = tf.oneHot(b.labels(), tf.gather(tf.shape(b.choiceMask()), tf.constant(1), tf.constant(0)),
        tf.constant(1f), tf.constant(0f));
    Operand<TFloat32> goldMask = tf.math.mul(b.tokenMask(), tf.expandDims(gold, tf.constant(2)));
    Operand<TFloat32> total = tf.sum(tf.math.mul(b.tokenLogProbs(), goldMask), tf.constant(new int[] {0, 1, 2}),
        Sum.keepDims(false));
    return tf.math.neg(tf.math.divNoNan(total, tf.sum(goldMask, tf.constant(new int[] {0, 1, 2}))));
  };

  /**
   * Label = whether word 5 occurs among six words drawn from {@code [10, 10 + wordBound)}; choices
   * 3 and 4 (EOS appended). Even rows are positive, so the task is balanced.
   */
  public static ExampleSource wordFiveTask(int rows, int wordBound, int taskId) {
    SplittableRandom r = new SplittableRandom(11);
    List<EncodedExample> examples = new ArrayList<>();
    for (int i = 0; i < rows; i++) {
      int[] ids = new int[7];
      boolean positive = i % 2 == 0;
      for (int t = 0; t < 6; t++) {
        ids[t] = 10 + r.nextInt(wordBound);
      }
      if (positive) {
        ids[r.nextInt(6)] = 5;
      }
      ids[6] = 1;
      examples.add(new EncodedExample(ids, List.of(new int[] {3, 1}, new int[] {4, 1}), positive ? 0 : 1, taskId));
    }
    return ExampleSource.of(examples);
  }
}
