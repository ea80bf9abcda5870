package io.tfew.api.eval;

import java.util.Arrays;
import java.util.Map;

/**
 * How T-Few summarises repeated runs: per dataset, the median and interquartile range over runs
 * (seeds, few-shot samples, prompt templates), and across datasets the mean of the medians. Liu et al.
 * 2022 report each held-out dataset's median over prompt templates with its interquartile range, and
 * the average of those medians over the datasets.
 *
 * <p>Percentiles use numpy's default {@code method='linear'}: for sorted values {@code x_0..x_{n-1}} the
 * p-th quantile sits at position {@code h = p (n - 1)} and is {@code x_floor(h) + (h - floor(h))
 * (x_floor(h)+1 - x_floor(h))}. So {@code quartiles({1, 2, 3, 4}) = {1.75, 3.25}}, as
 * {@code numpy.percentile([1, 2, 3, 4], [25, 75])} gives, and the median of an even count is the mean of
 * the middle two.
 *
 * <p>Inputs must be non-empty and free of NaN: numpy would answer NaN, but a NaN here means a run
 * produced no metric, which should be noticed rather than averaged over.
 */
public final class Aggregation {
  private Aggregation() {}

  /**
   * Median and quartiles of one dataset's runs.
   *
   * @param median the 50th percentile
   * @param q1 the 25th percentile
   * @param q3 the 75th percentile
   */
  public record Summary(double median, double q1, double q3) {
    /** The interquartile range {@code q3 - q1}. */
    public double iqr() {
      return q3 - q1;
    }
  }

  /** The median, numpy's {@code numpy.median}. */
  public static double median(double[] values) {
    return percentile(sorted(values), 0.5);
  }

  /** {@code {Q1, Q3}}: the 25th and 75th percentiles with linear interpolation (numpy's default). */
  public static double[] quartiles(double[] values) {
    double[] s = sorted(values);
    return new double[] {percentile(s, 0.25), percentile(s, 0.75)};
  }

  /** Median, Q1 and Q3 at once. */
  public static Summary summarize(double[] values) {
    double[] s = sorted(values);
    return new Summary(percentile(s, 0.5), percentile(s, 0.25), percentile(s, 0.75));
  }

  /** The mean over datasets of each dataset's median over runs; the headline number of T-Few's tables. */
  public static double meanOfMedians(Map<String, double[]> perDataset) {
    if (perDataset == null || perDataset.isEmpty()) {
      throw new IllegalArgumentException("meanOfMedians needs at least one dataset");
    }
    double sum = 0;
    for (Map.Entry<String, double[]> e : perDataset.entrySet()) {
      try {
        sum += median(e.getValue());
      } catch (IllegalArgumentException ex) {
        throw new IllegalArgumentException("dataset '" + e.getKey() + "': " + ex.getMessage(), ex);
      }
    }
    return sum / perDataset.size();
  }

  private static double[] sorted(double[] values) {
    if (values == null || values.length == 0) {
      throw new IllegalArgumentException("no values to summarise");
    }
    double[] s = values.clone();
    for (double v : s) {
      if (Double.isNaN(v)) {
        throw new IllegalArgumentException("values contain NaN: " + Arrays.toString(values));
      }
    }
    Arrays.sort(s);
    return s;
  }

  /** numpy's linear method on sorted values, {@code p} in [0, 1]. */
  private static double percentile(double[] sorted, double p) {
    double h = p * (sorted.length - 1);
    int lo = (int) Math.floor(h);
    int hi = Math.min(lo + 1, sorted.length - 1);
    return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
  }
}
