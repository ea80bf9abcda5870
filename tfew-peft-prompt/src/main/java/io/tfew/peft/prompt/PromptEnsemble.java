package io.tfew.peft.prompt;

import java.util.List;

/**
 * Prompt ensembling (Lester et al. section 6): score every example with K trained prompts in one batch and
 * combine the K answers. Each prompt gets its own task slot of a {@code prompt_tuning} method built with
 * {@code taskCount = K}; each example is repeated K times with tasks 0..K-1, so one forward pass carries all
 * prompts (the frozen model is shared, only the prepended rows differ per batch row).
 *
 * <pre>{@code
 * graph = new ModelGraph(config, rewrites, false, K, seed);                  // prompt_embeddings [K, N, d]
 * parameters.assign(session, "prompt_embeddings", PromptEnsemble.stack(List.of(p0, p1, p2)));
 * int[] tasks = PromptEnsemble.slots(examples.size(), K);                    // row i*K + k uses prompt k
 * double[][] perRow = ...;                                                  // choice scores of those rows
 * int[] answers = PromptEnsemble.predict(perRow, K, PromptEnsemble.Combine.MEAN);
 * }</pre>
 */
public final class PromptEnsemble {
  /** How the K prompts' choice scores become one answer. */
  public enum Combine {
    /** Mean over prompts of each choice's (length-normalised) log-probability; argmax of that. */
    MEAN,
    /** Each prompt votes for its argmax choice; most votes wins, ties go to the higher mean score. */
    VOTE
  }

  private PromptEnsemble() {}

  /** The values of a K-slot {@code prompt_embeddings [K, rows, d]} from K single prompts {@code [rows, d]}. */
  public static float[] stack(List<float[]> prompts) {
    if (prompts.isEmpty()) {
      throw new IllegalArgumentException("an ensemble needs at least one prompt");
    }
    int size = prompts.get(0).length;
    float[] out = new float[size * prompts.size()];
    for (int k = 0; k < prompts.size(); k++) {
      if (prompts.get(k).length != size) {
        throw new IllegalArgumentException("prompt " + k + " has " + prompts.get(k).length + " values, prompt 0 has "
            + size + "; ensembled prompts must have one shape");
      }
      System.arraycopy(prompts.get(k), 0, out, k * size, size);
    }
    return out;
  }

  /** The task slot of every expanded row: row {@code i * prompts + k} is example i with prompt k. */
  public static int[] slots(int examples, int prompts) {
    int[] out = new int[examples * prompts];
    for (int i = 0; i < out.length; i++) {
      out[i] = i % prompts;
    }
    return out;
  }

  /**
   * Per-example scores from per-row scores laid out as {@link #slots}: the mean over prompts ({@code MEAN}) or
   * the fraction of prompts voting for each choice ({@code VOTE}).
   */
  public static double[][] combine(double[][] rowScores, int prompts, Combine mode) {
    if (prompts < 1 || rowScores.length % prompts != 0) {
      throw new IllegalArgumentException(rowScores.length + " rows are not a whole number of examples x "
          + prompts + " prompts");
    }
    int examples = rowScores.length / prompts;
    double[][] out = new double[examples][];
    for (int i = 0; i < examples; i++) {
      int choices = rowScores[i * prompts].length;
      out[i] = new double[choices];
      for (int k = 0; k < prompts; k++) {
        double[] row = rowScores[i * prompts + k];
        if (mode == Combine.MEAN) {
          for (int c = 0; c < choices; c++) {
            out[i][c] += row[c] / prompts;
          }
        } else {
          out[i][argmax(row)] += 1.0 / prompts;
        }
      }
    }
    return out;
  }

  /** The ensemble's answer per example; a tie in votes goes to the choice with the higher mean score. */
  public static int[] predict(double[][] rowScores, int prompts, Combine mode) {
    double[][] mean = combine(rowScores, prompts, Combine.MEAN);
    double[][] combined = mode == Combine.MEAN ? mean : combine(rowScores, prompts, mode);
    int[] out = new int[combined.length];
    for (int i = 0; i < combined.length; i++) {
      int best = 0;
      for (int c = 1; c < combined[i].length; c++) {
        if (combined[i][c] > combined[i][best] || (combined[i][c] == combined[i][best] && mean[i][c] > mean[i][best])) {
          best = c;
        }
      }
      out[i] = best;
    }
    return out;
  }

  private static int argmax(double[] row) {
    int best = 0;
    for (int c = 1; c < row.length; c++) {
      if (row[c] > row[best]) {
        best = c;
      }
    }
    return best;
  }
}
