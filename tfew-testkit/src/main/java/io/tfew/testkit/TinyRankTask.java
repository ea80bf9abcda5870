package io.tfew.testkit;

import io.tfew.api.loss.ChoiceLogProbs;
import io.tfew.api.loss.Loss;
import io.tfew.core.model.RandomCheckpointWriter;
import io.tfew.core.model.RandomModels;
import io.tfew.core.model.T5Config;
import io.tfew.core.score.ChoiceScores;
import io.tfew.core.score.EncodedExample;
import io.tfew.core.tokenize.WordLevelTokenizerWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Sum;
import org.tensorflow.types.TFloat32;

/**
 * The kit's model and task: a random T5 of a few thousand weights with a word-level vocabulary, and a
 * rank-classification task it can learn (does word 5 occur among six words?), with its own loss so
 * that a plugin's tests need no loss plugin.
 */
final class TinyRankTask {
  static final int VOCAB = 64;
  /** Words are ids 10..59; 5 marks a positive row; the choices are [3, EOS] and [4, EOS]. */
  private static final int MARK = 5;

  private TinyRankTask() {}

  /** Writes {@code config.json}, {@code model.safetensors} and {@code tokenizer.json} into {@code dir}. */
  static T5Config writeModel(Path dir, long seed) {
    List<String> words = new ArrayList<>();
    for (int i = 3; i < VOCAB; i++) {
      words.add("w" + i);
    }
    WordLevelTokenizerWriter.write(dir.resolve("tokenizer.json"), words);
    T5Config config = RandomModels.tiny(VOCAB);
    RandomCheckpointWriter.write(config, dir, seed);
    return T5Config.read(dir.resolve("config.json"));
  }

  /** {@code rows} examples, half of them positive, drawn from {@code seed}. */
  static List<EncodedExample> examples(int rows, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    List<EncodedExample> out = new ArrayList<>();
    for (int i = 0; i < rows; i++) {
      boolean positive = i % 2 == 0;
      int[] ids = new int[7];
      for (int t = 0; t < 6; t++) {
        ids[t] = 10 + r.nextInt(50);
      }
      if (positive) {
        ids[r.nextInt(6)] = MARK;
      }
      ids[6] = 1;
      out.add(new EncodedExample(ids, List.of(new int[] {3, 1}, new int[] {4, 1}), positive ? 0 : 1, 0));
    }
    return out;
  }

  /** Token-mean negative log-likelihood of the gold choices: what training minimises. */
  static final Loss GOLD_NLL = (Ops tf, ChoiceLogProbs b) -> {
    Operand<TFloat32> gold = tf.oneHot(b.labels(), tf.gather(tf.shape(b.choiceMask()), tf.constant(1), tf.constant(0)),
        tf.constant(1f), tf.constant(0f));
    Operand<TFloat32> goldMask = tf.math.mul(b.tokenMask(), tf.expandDims(gold, tf.constant(2)));
    Operand<TFloat32> total = tf.sum(tf.math.mul(b.tokenLogProbs(), goldMask), tf.constant(new int[] {0, 1, 2}),
        Sum.keepDims(false));
    return tf.math.neg(tf.math.divNoNan(total, tf.sum(goldMask, tf.constant(new int[] {0, 1, 2}))));
  };

  /** The same loss computed from scores without dropout: the mean over rows of minus the gold choice's mean log-prob. */
  static double goldNll(List<EncodedExample> examples, List<ChoiceScores> scores) {
    double sum = 0;
    for (int i = 0; i < examples.size(); i++) {
      sum -= scores.get(i).mean()[examples.get(i).label()];
    }
    return sum / examples.size();
  }
}
