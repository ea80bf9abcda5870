package io.tfew.core.data;

import com.fasterxml.jackson.databind.JsonNode;
import io.tfew.api.TfewException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Reads rank-classification data from JSON Lines, one example per line:
 *
 * <pre>{@code
 * {"input": "Is the sky blue?", "choices": ["yes", "no"], "label": 0, "task": "boolq"}
 * }</pre>
 *
 * <p>{@code label} and {@code task} are optional. The format is strict (unknown fields are
 * errors) because a misspelt {@code "lable"} would otherwise silently turn training data into
 * unlabelled data. Every error names the file, the 1-based line and the field.
 */
public final class RankDataReader {
  static final Set<String> FIELDS = Set.of("input", "choices", "label", "task");
  private static final String ALLOWED = "\"input\", \"choices\", \"label\", \"task\"";

  private RankDataReader() {}

  /** All examples of {@code jsonl}, in file order; blank lines are skipped. */
  public static List<RankExample> read(Path jsonl) {
    List<RankExample> examples = new ArrayList<>();
    JsonlObjects.read(jsonl, (line, object) -> examples.add(parseRow(new Where(jsonl, line), object)));
    if (examples.isEmpty()) {
      throw new TfewException(
          "data file " + jsonl + " has no examples; add one JSON object per line, e.g. "
              + "{\"input\": \"...\", \"choices\": [\"a\", \"b\"], \"label\": 0}");
    }
    return List.copyOf(examples);
  }

  private static RankExample parseRow(Where at, JsonNode row) {
    for (Iterator<String> names = row.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!FIELDS.contains(name)) {
        throw at.error(
            "unknown field \"" + name + "\"; allowed fields are " + ALLOWED
                + " (check the spelling or remove it)");
      }
    }
    String input = input(at, row.get("input"));
    List<String> choices = choices(at, row.get("choices"));
    OptionalInt label = label(at, row.get("label"), choices.size());
    Optional<String> task = task(at, row.get("task"));
    return new RankExample(input, choices, label, task);
  }

  private static String input(Where at, JsonNode node) {
    if (node == null || node.isNull()) {
      throw at.error("field \"input\" is missing; add the prompt text as \"input\": \"...\"");
    }
    if (!node.isTextual()) {
      throw at.error("field \"input\" must be a string, got " + kind(node));
    }
    if (node.asText().isBlank()) {
      throw at.error("field \"input\" is empty; give the prompt text");
    }
    return node.asText();
  }

  private static List<String> choices(Where at, JsonNode node) {
    String fix = "; give the answer options as \"choices\": [\"a\", \"b\", ...]";
    if (node == null || node.isNull()) {
      throw at.error("field \"choices\" is missing" + fix);
    }
    if (!node.isArray()) {
      throw at.error("field \"choices\" must be a list of strings, got " + kind(node) + fix);
    }
    if (node.isEmpty()) {
      throw at.error("field \"choices\" is empty" + fix);
    }
    List<String> choices = new ArrayList<>(node.size());
    for (int i = 0; i < node.size(); i++) {
      JsonNode c = node.get(i);
      if (!c.isTextual()) {
        throw at.error(
            "field \"choices\" must be a list of strings, but element " + i + " is " + kind(c)
                + fix);
      }
      choices.add(c.asText());
    }
    return choices;
  }

  private static OptionalInt label(Where at, JsonNode node, int choiceCount) {
    if (node == null || node.isNull()) {
      return OptionalInt.empty();
    }
    String fix = "; use the 0-based index of the correct choice (0 to " + (choiceCount - 1) + ")";
    if (!node.isIntegralNumber() || !node.canConvertToInt()) {
      throw at.error("field \"label\" must be an integer, got " + kind(node) + fix);
    }
    int label = node.intValue();
    if (label < 0 || label >= choiceCount) {
      throw at.error(
          "field \"label\" is " + label + " but there are " + choiceCount + " choices" + fix);
    }
    return OptionalInt.of(label);
  }

  private static Optional<String> task(Where at, JsonNode node) {
    if (node == null || node.isNull()) {
      return Optional.empty();
    }
    if (!node.isTextual()) {
      throw at.error("field \"task\" must be a string naming the task, got " + kind(node));
    }
    return Optional.of(node.asText());
  }

  private static String kind(JsonNode node) {
    if (node == null) {
      return "nothing";
    }
    String text = node.toString();
    String shown = text.length() > 40 ? text.substring(0, 37) + "..." : text;
    return node.getNodeType().name().toLowerCase(java.util.Locale.ROOT) + " " + shown;
  }
}
