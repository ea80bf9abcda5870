package io.tfew.core.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the ANLI dev CSVs of the ANLI authors' "ANLIzing ANLI" annotation
 * ({@code ANLI_analysis_r{1,2,3}_dev.csv}) into Hugging Face {@code anli} rows:
 * {@code uid, premise, hypothesis, label, reason}.
 *
 * <p>Column mapping: {@code context} is HF's {@code premise}, {@code statement} its
 * {@code hypothesis}, and {@code gold_label} {@code e/n/c} becomes HF's ClassLabel index
 * ({@code entailment=0, neutral=1, contradiction=2}). The annotation and model-prediction
 * columns are not part of HF's dataset and are dropped.
 */
public final class AnliCsvReader implements DatasetReader {
  /** HF {@code anli}'s label names; the gold letters are their initials. */
  public static final List<String> LABEL_NAMES = List.of("entailment", "neutral", "contradiction");

  @Override
  public List<Map<String, Object>> read(Path file) {
    CsvTable csv = CsvTable.read(file);
    int context = csv.column("context");
    int statement = csv.column("statement");
    int gold = csv.column("gold_label");
    int uid = csv.column("uid");
    int reason = csv.column("reason");
    List<Map<String, Object>> rows = new ArrayList<>(csv.records().size());
    for (CsvTable.Record r : csv.records()) {
      Where at = new Where(file, r.line());
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("uid", r.fields().get(uid));
      row.put("premise", r.fields().get(context));
      row.put("hypothesis", r.fields().get(statement));
      row.put("label", label(at, r.fields().get(gold)));
      row.put("reason", r.fields().get(reason));
      rows.add(Collections.unmodifiableMap(row));
    }
    return List.copyOf(rows);
  }

  private static int label(Where at, String gold) {
    return switch (gold.trim()) {
      case "e" -> 0;
      case "n" -> 1;
      case "c" -> 2;
      default -> throw at.error(
          "field \"gold_label\" is \"" + gold + "\"; use e (entailment), n (neutral) or c"
              + " (contradiction)");
    };
  }
}
