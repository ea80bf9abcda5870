package io.tfew.api.eval;

import java.util.Optional;
import java.util.OptionalInt;

/**
 * One example after rank classification.
 *
 * <pre>{@code
 * new ScoredExample(new double[] {-1.2, -0.4}, 1, OptionalInt.of(1), Optional.empty());
 * }</pre>
 *
 * @param scores one score per answer choice (higher is more likely)
 * @param prediction index of the highest score
 * @param label the gold index, when known
 * @param task the task the example belongs to, when the data names one
 */
public record ScoredExample(double[] scores, int prediction, OptionalInt label, Optional<String> task) {}
