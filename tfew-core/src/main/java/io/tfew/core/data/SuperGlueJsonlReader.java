package io.tfew.core.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tfew.api.TfewException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Reads the official SuperGLUE jsonl files ({@code RTE/val.jsonl}, ...) into the rows Hugging
 * Face's {@code super_glue} builder yields, which is what promptsource's templates name.
 *
 * <p>What HF's builder changes, and this reader repeats:
 *
 * <ul>
 *   <li>String labels become the ClassLabel index: RTE {@code [entailment, not_entailment]}, CB
 *       {@code [entailment, contradiction, neutral]}; booleans (WiC, WSC) become {@code False=0,
 *       True=1}; COPA's 0/1 stays. A row without a label gets {@code -1}.
 *   <li>WSC's nested {@code target} is flattened into {@code span1_index}, {@code span2_index},
 *       {@code span1_text}, {@code span2_text}, and (as {@code wsc.fixed}, the config T0/T-Few
 *       use) span texts that are not substrings of the text are repaired exactly as HF's
 *       {@code _fix_wst} does.
 *   <li>Only the HF features are kept (e.g. WiC's {@code version} is dropped).
 * </ul>
 *
 * <p>The task is given or, by default, taken from the parent directory's name
 * ({@code .../RTE/val.jsonl}).
 */
public final class SuperGlueJsonlReader implements DatasetReader {

  /** The SuperGLUE tasks T0 holds out, with HF's features and label names. */
  public enum Task {
    RTE(List.of("premise", "hypothesis"), List.of("entailment", "not_entailment")),
    CB(List.of("premise", "hypothesis"), List.of("entailment", "contradiction", "neutral")),
    COPA(List.of("premise", "choice1", "choice2", "question"), List.of("choice1", "choice2")),
    WIC(
        List.of("word", "sentence1", "sentence2", "start1", "start2", "end1", "end2"),
        List.of("False", "True")),
    WSC(
        List.of("text", "span1_index", "span2_index", "span1_text", "span2_text"),
        List.of("False", "True"));

    private final List<String> features;
    private final List<String> labelNames;

    Task(List<String> features, List<String> labelNames) {
      this.features = features;
      this.labelNames = labelNames;
    }

    /** HF's feature names besides {@code idx} and {@code label}, in HF's order. */
    public List<String> features() {
      return features;
    }

    /** HF's ClassLabel names; a label's integer is its index here. */
    public List<String> labelNames() {
      return labelNames;
    }

    /** The task named {@code name} (case-insensitive, e.g. {@code RTE}, {@code wic}). */
    public static Task byName(String name) {
      for (Task t : values()) {
        if (t.name().equalsIgnoreCase(name)) {
          return t;
        }
      }
      throw new TfewException(
          "unknown SuperGLUE task \"" + name + "\"; known tasks: "
              + Arrays.stream(values()).map(Task::name).collect(Collectors.joining(", ")));
    }
  }

  private final Task task;

  /** A reader that takes the task from the file's directory name, e.g. {@code RTE/val.jsonl}. */
  public SuperGlueJsonlReader() {
    this.task = null;
  }

  /** A reader for {@code task}'s files, wherever they live. */
  public SuperGlueJsonlReader(Task task) {
    this.task = task;
  }

  @Override
  public List<Map<String, Object>> read(Path file) {
    Task t = task != null ? task : taskOf(file);
    return JsonlRows.read(file, (at, row) -> row(t, at, row));
  }

  private static Task taskOf(Path file) {
    Path dir = file.toAbsolutePath().getParent();
    String name = dir == null || dir.getFileName() == null ? "" : dir.getFileName().toString();
    for (Task t : Task.values()) {
      if (t.name().equalsIgnoreCase(name)) {
        return t;
      }
    }
    throw new TfewException(
        file + ": cannot tell the SuperGLUE task from the directory name \"" + name
            + "\"; put the file in a directory named after the task (one of "
            + Arrays.stream(Task.values()).map(Task::name).collect(Collectors.joining(", "))
            + ") or name the task in the config");
  }

  private static Map<String, Object> row(Task task, Where at, ObjectNode json) {
    ObjectNode source = json;
    if (task == Task.WSC) {
      // HF: row.update(row["target"]) before picking the features.
      JsonNode target = json.get("target");
      if (!(target instanceof ObjectNode spans)) {
        throw at.error(
            "field \"target\" must be an object with span1_index, span2_index, span1_text and"
                + " span2_text, got " + JsonlRows.kind(target));
      }
      source = json.deepCopy();
      source.setAll(spans);
    }
    Map<String, Object> row = new LinkedHashMap<>();
    for (String feature : task.features()) {
      JsonNode value = source.get(feature);
      if (value == null || value.isNull()) {
        throw at.error(
            "field \"" + feature + "\" is missing; a " + task + " row needs "
                + String.join(", ", task.features()));
      }
      boolean isIndex = feature.startsWith("start") || feature.startsWith("end")
          || feature.endsWith("_index");
      if (isIndex ? !value.isIntegralNumber() : !value.isTextual()) {
        throw at.error(
            "field \"" + feature + "\" must be " + (isIndex ? "an integer" : "a string")
                + ", got " + JsonlRows.kind(value));
      }
      row.put(feature, JsonlRows.plain(value));
    }
    if (task == Task.WSC) {
      WscFix.apply(row);
    }
    row.put("idx", JsonlRows.integer(at, json, "idx"));
    row.put("label", label(task, at, json.get("label")));
    return row;
  }

  private static int label(Task task, Where at, JsonNode label) {
    if (label == null || label.isNull()) {
      return -1; // HF's value for unlabelled (test) rows
    }
    String fix = "; " + task + " labels are " + task.labelNames()
        + (task == Task.WIC || task == Task.WSC ? " as JSON booleans false/true" : "")
        + (task == Task.COPA ? " as the integers 0/1" : "");
    int index;
    if (label.isBoolean()) {
      index = task.labelNames().indexOf(label.booleanValue() ? "True" : "False");
    } else if (label.isTextual()) {
      index = task == Task.COPA ? -1 : task.labelNames().indexOf(label.asText());
    } else if (label.isIntegralNumber() && task == Task.COPA) {
      index = label.intValue();
      index = index == 0 || index == 1 ? index : -1;
    } else {
      index = -1;
    }
    if (index < 0) {
      throw at.error("field \"label\" is " + JsonlRows.kind(label) + ", not a " + task
          + " label" + fix);
    }
    return index;
  }

  /** HF's {@code _fix_wst} for the {@code wsc.fixed} config, quirks included. */
  static final class WscFix {
    private WscFix() {}

    static void apply(Map<String, Object> ex) {
      fixSpan(ex, "span1");
      fixSpan(ex, "span2");
    }

    private static void fixSpan(Map<String, Object> ex, String k) {
      String text = (String) ex.get(k + "_text");
      int index = ((Number) ex.get(k + "_index")).intValue();
      String body = (String) ex.get("text");
      if (body.contains(text)) {
        return;
      }
      if (text.equals("Kamenev and Zinoviev") || text.equals("Kamenev, Zinoviev, and Stalin")) {
        return; // HF: "no way to correct these examples"
      }
      if (text.contains("theyscold")) {
        // HF calls text.replace(...) and discards the result, so only the index changes.
        ex.put("span2_index", 10);
      }
      String[] words = body.strip().split("\\s+");
      if (index >= 0 && index < words.length && !text.isEmpty()) {
        String first = words[index];
        int head = text.offsetByCodePoints(0, 1);
        text = Character.isLowerCase(first.codePointAt(0))
            ? text.substring(0, head).toLowerCase(Locale.ROOT) + text.substring(head)
            : text.substring(0, head).toUpperCase(Locale.ROOT) + text.substring(head);
      }
      int end = text.length();
      while (end > 0 && text.charAt(end - 1) == '.') {
        end--;
      }
      text = text.substring(0, end).replace("\n", " ");
      ex.put(k + "_text", text);
    }
  }
}
