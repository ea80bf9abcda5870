package io.tfew.core.testing;

import io.tfew.core.score.ChoiceScores;
import io.tfew.core.score.EncodedExample;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The parity fixtures' rank-classification batch as {@link EncodedExample}s, and the comparisons the
 * parity tests of core and of every plugin module make against it.
 */
public final class FixtureBatch {
  private FixtureBatch() {}

  /** The fixture's three examples: unpadded inputs, choices without their 0-padding, gold labels. */
  public static List<EncodedExample> examples(ExpectedTensors e) {
    int[][] ids = e.intRows("input_ids");
    int[][] mask = e.intRows("attention_mask");
    long[] cs = e.shape("choices");
    int[] choices = e.ints("choices");
    int[] labels = e.ints("choice_labels");
    List<EncodedExample> out = new ArrayList<>();
    for (int b = 0; b < cs[0]; b++) {
      int len = Arrays.stream(mask[b]).sum();
      List<int[]> row = new ArrayList<>();
      for (int c = 0; c < cs[1]; c++) {
        int base = (int) ((b * cs[1] + c) * cs[2]);
        int n = 0;
        while (n < cs[2] && choices[base + n] != 0) {
          n++;
        }
        row.add(Arrays.copyOfRange(choices, base, base + n));
      }
      out.add(new EncodedExample(Arrays.copyOf(ids[b], len), row, labels[b], 0));
    }
    return out;
  }

  /** Mean-log-prob scores flattened row-major, to compare with {@code choice_scores_mean_logprob}. */
  public static float[] means(List<ChoiceScores> scores) {
    int c = scores.get(0).mean().length;
    float[] out = new float[scores.size() * c];
    for (int b = 0; b < scores.size(); b++) {
      for (int i = 0; i < c; i++) {
        out[b * c + i] = (float) scores.get(b).mean()[i];
      }
    }
    return out;
  }

  public static double maxAbsDiff(float[] a, float[] b) {
    if (a.length != b.length) {
      throw new AssertionError("lengths differ: " + a.length + " vs " + b.length);
    }
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
    }
    return max;
  }
}
