package io.tfew.core.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tfew.api.TfewException;
import io.tfew.core.files.JsonFileError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a RAFT task's {@code train.csv} or {@code test_unlabeled.csv}, with the label names from
 * the {@code task.json} beside it, into Hugging Face {@code ought/raft} rows.
 *
 * <p>Every CSV column is kept under its own name as a string, except {@code ID}, an integer as in
 * HF. Labels follow HF's ClassLabel, whose names are {@code ["Unlabeled", <task.json labels>]}:
 * {@code Label} is that 1-based index ({@code 0} for unlabelled rows). Because T-Few trains on
 * {@code int(Label) - 1} with answer choices {@code names[1:]}, each row also gets
 * {@code label}, the 0-based index into {@link #labelNames} ({@code -1} when unlabelled).
 */
public final class RaftCsvReader implements DatasetReader {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Override
  public List<Map<String, Object>> read(Path file) {
    Path taskJson = file.toAbsolutePath().resolveSibling("task.json");
    List<String> names = labelNames(taskJson);
    CsvTable csv = CsvTable.read(file);
    int labelColumn = csv.header().indexOf("Label");
    List<Map<String, Object>> rows = new ArrayList<>(csv.records().size());
    for (CsvTable.Record r : csv.records()) {
      Where at = new Where(file, r.line());
      Map<String, Object> row = new LinkedHashMap<>();
      for (int i = 0; i < csv.header().size(); i++) {
        String column = csv.header().get(i);
        String value = r.fields().get(i);
        if (i == labelColumn) {
          continue;
        }
        row.put(column, column.equals("ID") ? id(at, value) : value);
      }
      int label = labelColumn < 0 ? -1 : label(at, r.fields().get(labelColumn), names, taskJson);
      row.put("Label", label + 1);
      row.put("label", label);
      rows.add(Collections.unmodifiableMap(row));
    }
    return List.copyOf(rows);
  }

  /** The task's label names from {@code task.json}'s {@code label_columns.Label}, in order. */
  public static List<String> labelNames(Path taskJson) {
    if (!Files.isRegularFile(taskJson)) {
      throw new TfewException(
          "RAFT task file " + taskJson + " is missing; keep task.json beside the task's CSVs");
    }
    JsonNode task;
    try {
      task = JSON.readTree(taskJson.toFile());
    } catch (IOException e) {
      throw new TfewException(taskJson + ": " + JsonFileError.describe(e) + "; restore the RAFT task file", e);
    }
    JsonNode labels = task == null ? null : task.path("label_columns").get("Label");
    if (labels == null || !labels.isArray() || labels.isEmpty()) {
      throw new TfewException(
          taskJson + ": field \"label_columns.Label\" must be a non-empty list of label names,"
              + " e.g. {\"label_columns\": {\"Label\": [\"complaint\", \"no complaint\"]}}");
    }
    List<String> names = new ArrayList<>();
    for (JsonNode n : labels) {
      if (!n.isTextual()) {
        throw new TfewException(
            taskJson + ": field \"label_columns.Label\" must hold strings, got " + n);
      }
      names.add(n.asText());
    }
    return List.copyOf(names);
  }

  private static int label(Where at, String value, List<String> names, Path taskJson) {
    if (value.isEmpty() || value.equals("Unlabeled")) {
      return -1;
    }
    int i = names.indexOf(value);
    if (i < 0) {
      throw at.error(
          "field \"Label\" is \"" + value + "\", not one of the labels in " + taskJson + " "
              + names + "; fix the label or the task file");
    }
    return i;
  }

  private static int id(Where at, String value) {
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw at.error("field \"ID\" is \"" + value + "\"; it must be an integer row id");
    }
  }
}
