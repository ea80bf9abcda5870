package io.tfew.core.prompt;

import java.util.List;
import java.util.Objects;

/**
 * One promptsource template: a Jinja text whose rendering is split on {@code |||} into the model
 * input and the target, plus an optional Jinja {@code answer_choices} string split the same way.
 *
 * <p>Instances come from {@link TemplateCollection#load}; the fields mirror promptsource's
 * {@code Template} and {@code TemplateMetadata} so that T0/T-Few prompt selections can be named
 * exactly as the papers do.
 *
 * @param id the template's UUID, the key in {@code templates.yaml}
 * @param name the human name (T-Few orders templates by it)
 * @param jinja the template text
 * @param answerChoices the Jinja answer-choices string, or {@code null} for free-form targets
 * @param originalTask {@code metadata.original_task}: whether the prompt asks the dataset's own task
 *     (T-Few trains and evaluates only on these)
 * @param choicesInPrompt {@code metadata.choices_in_prompt}
 * @param metrics {@code metadata.metrics}, e.g. {@code [Accuracy]}
 */
public record PromptTemplate(
    String id,
    String name,
    String jinja,
    String answerChoices,
    boolean originalTask,
    boolean choicesInPrompt,
    List<String> metrics) {

  /** The separator promptsource uses between input and target, and between answer choices. */
  public static final String SEPARATOR = "|||";

  public PromptTemplate {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(jinja, "jinja");
    metrics = List.copyOf(metrics);
  }

  /** Whether the template text declares a target, i.e. contains {@code |||}. */
  public boolean hasTarget() {
    return jinja.contains(SEPARATOR);
  }
}
