package io.tfew.eval;

import io.tfew.api.eval.Evaluator;
import io.tfew.api.eval.ScoredExample;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Macro-averaged F1 over classes (answer-choice indices), as metric {@code macro_f1}: the unweighted
 * mean of per-class F1, like scikit-learn's {@code f1_score(y_true, y_pred, average='macro')}.
 *
 * <p>The class set is the union of the labels and the predictions of the labelled examples, which is
 * what scikit-learn uses when no {@code labels=} argument is given ({@code unique_labels(y_true,
 * y_pred)}). A choice index that is neither a label nor a prediction does not count, so the value does
 * not depend on how many choices the task has. A class that only occurs as a prediction has F1 0, and so
 * does one that is never predicted; both pull the mean down, as in scikit-learn (whose zero_division
 * default gives 0).
 *
 * <p>Per class, {@code F1 = 2 TP / (2 TP + FP + FN)}, which equals {@code 2 P R / (P + R)} whenever
 * that is defined. Examples without a label are skipped; with none labelled the value is NaN.
 */
public final class MacroF1 implements Evaluator {
  /** The key of the metric in the returned map. */
  public static final String KEY = "macro_f1";

  @Override
  public Map<String, Double> evaluate(List<ScoredExample> examples) {
    // class -> {true positives, false positives, false negatives}
    Map<Integer, long[]> counts = new TreeMap<>();
    for (ScoredExample e : examples) {
      if (e.label().isEmpty()) {
        continue;
      }
      int label = e.label().getAsInt();
      int prediction = e.prediction();
      if (label == prediction) {
        counts.computeIfAbsent(label, k -> new long[3])[0]++;
      } else {
        counts.computeIfAbsent(prediction, k -> new long[3])[1]++;
        counts.computeIfAbsent(label, k -> new long[3])[2]++;
      }
    }
    if (counts.isEmpty()) {
      return Map.of(KEY, Double.NaN);
    }
    double sum = 0;
    for (long[] c : counts.values()) {
      // Every class here occurred as a label or a prediction, so the denominator is positive.
      sum += 2.0 * c[0] / (2.0 * c[0] + c[1] + c[2]);
    }
    return Map.of(KEY, sum / counts.size());
  }
}
