package io.tfew.experiments.minit0;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A held-out family: rows of fields plus an integer {@code label}, asked through promptsource templates
 * whose answer choices make it a two-way classification (chance 0.5). Never seen in pre-training.
 *
 * @param name directory name under the tasks folder, e.g. {@code rating}
 * @param description one line for people
 * @param templates the promptsource templates
 * @param rows draws the fields of one row whose answer is choice {@code label}
 */
public record HeldOutFamily(String name, String description, List<Template> templates, RowSampler rows) {
  /** One promptsource template: its main Jinja text (with {@code |||} and the target) and its choices. */
  public record Template(String name, String jinja, String answerChoices) {}

  /** Draws a row's fields for a given label. */
  @FunctionalInterface
  public interface RowSampler {
    Map<String, Object> sample(int label, SplittableRandom random);
  }

  public HeldOutFamily {
    templates = List.copyOf(templates);
  }
}
