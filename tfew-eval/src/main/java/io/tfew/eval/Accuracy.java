package io.tfew.eval;

import io.tfew.api.eval.Evaluator;
import io.tfew.api.eval.ScoredExample;
import java.util.List;
import java.util.Map;

/**
 * Fraction of labelled examples whose prediction is the label, as metric {@code accuracy} (T-Few's
 * metric for every held-out task except those scored by F1). Examples without a label are skipped; with
 * no labelled example the value is NaN, since any number would be made up.
 */
public final class Accuracy implements Evaluator {
  /** The key of the metric in the returned map. */
  public static final String KEY = "accuracy";

  @Override
  public Map<String, Double> evaluate(List<ScoredExample> examples) {
    long labelled = 0;
    long right = 0;
    for (ScoredExample e : examples) {
      if (e.label().isPresent()) {
        labelled++;
        if (e.label().getAsInt() == e.prediction()) {
          right++;
        }
      }
    }
    return Map.of(KEY, labelled == 0 ? Double.NaN : (double) right / labelled);
  }
}
