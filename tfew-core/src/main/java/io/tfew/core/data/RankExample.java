package io.tfew.core.data;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One rank-classification example: the model scores each of {@code choices} as a continuation of
 * {@code input}; {@code label} is the 0-based index of the correct choice when known (absent for
 * unlabelled prediction data), and {@code task} names the source task for per-task metrics.
 */
public record RankExample(
    String input, List<String> choices, OptionalInt label, Optional<String> task) {

  public RankExample {
    Objects.requireNonNull(input, "input");
    choices = List.copyOf(choices);
    Objects.requireNonNull(label, "label");
    Objects.requireNonNull(task, "task");
    if (choices.isEmpty()) {
      throw new IllegalArgumentException("choices must not be empty");
    }
    if (label.isPresent() && (label.getAsInt() < 0 || label.getAsInt() >= choices.size())) {
      throw new IllegalArgumentException(
          "label " + label.getAsInt() + " outside [0, " + choices.size() + ")");
    }
  }
}
