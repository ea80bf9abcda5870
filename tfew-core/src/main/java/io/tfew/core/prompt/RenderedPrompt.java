package io.tfew.core.prompt;

import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * A template applied to one dataset row.
 *
 * @param input the model input (stripped, never empty)
 * @param target the target text (stripped); empty when the template declares no target
 * @param answerChoices the rendered answer choices (each stripped); empty when the template has
 *     none
 */
public record RenderedPrompt(String input, String target, List<String> answerChoices) {

  public RenderedPrompt {
    Objects.requireNonNull(input, "input");
    Objects.requireNonNull(target, "target");
    answerChoices = List.copyOf(answerChoices);
  }

  /**
   * The index of {@link #target} among {@link #answerChoices}, the rank-classification label.
   *
   * <p>T-Few derives the label as {@code answer_choices.index(target)}; like Python's
   * {@code list.index} this is the first match. Empty when the target is not one of the choices
   * (or there are no choices).
   */
  public OptionalInt labelIndex() {
    int i = answerChoices.indexOf(target);
    return i < 0 ? OptionalInt.empty() : OptionalInt.of(i);
  }
}
