package io.tfew.api.eval;

import java.util.List;
import java.util.Map;

/**
 * Turns scored examples into named metrics. Examples without a label are skipped by convention.
 *
 * <pre>{@code
 * Evaluator accuracy = examples -> {
 *   long labelled = examples.stream().filter(e -> e.label().isPresent()).count();
 *   long right = examples.stream().filter(e -> e.label().orElse(-1) == e.prediction()).count();
 *   return Map.of("accuracy", labelled == 0 ? Double.NaN : (double) right / labelled);
 * };
 * }</pre>
 */
@FunctionalInterface
public interface Evaluator {
  Map<String, Double> evaluate(List<ScoredExample> examples);
}
