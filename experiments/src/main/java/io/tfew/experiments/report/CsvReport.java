package io.tfew.experiments.report;

import io.tfew.api.eval.Aggregation;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The report as CSV (RFC 4180), in the metric's own unit (accuracy in [0, 1]) and full precision, for
 * further analysis: {@link #table} is the results table, one row per method; {@link #runs} lists every
 * run found, counted or not.
 */
public final class CsvReport {
  private CsvReport() {}

  /** Columns: method, trainable_parameters, trainable_percent, then per dataset D: D_median, D_q1, D_q3, D_iqr, D_runs, D_values; last mean_of_medians. */
  public static String table(ResultsTable table) {
    List<String> header = new ArrayList<>(List.of("method", "trainable_parameters", "trainable_percent"));
    for (String d : table.datasets()) {
      for (String s : List.of("median", "q1", "q3", "iqr", "runs", "values")) {
        header.add(d + "_" + s);
      }
    }
    header.add("mean_of_medians");
    StringBuilder csv = new StringBuilder(line(header));
    for (ResultsTable.Row row : table.rows()) {
      List<String> cells = new ArrayList<>();
      cells.add(row.method());
      cells.add(row.trainable().stream().map(String::valueOf).collect(Collectors.joining(" ")));
      cells.add(row.percent().isPresent() ? number(row.percent().getAsDouble()) : "");
      for (String d : table.datasets()) {
        ResultsTable.Cell c = row.cells().get(d);
        if (c == null) {
          cells.addAll(List.of("", "", "", "", "", ""));
        } else {
          cells.addAll(List.of(number(c.summary().median()), number(c.summary().q1()), number(c.summary().q3()),
              number(c.summary().iqr()), Integer.toString(c.runs()), Integer.toString(c.values())));
        }
      }
      cells.add(number(row.meanOfMedians()));
      csv.append(line(cells));
    }
    return csv.toString();
  }

  /** One line per run: where it is, its keys, whether it counted and why not, its values. */
  public static String runs(List<RunResult> runs) {
    StringBuilder csv = new StringBuilder(line(List.of("run", "dataset", "method", "model", "seed", "state", "detail",
        "templates", "median", "trainable_parameters", "base_parameters")));
    for (RunResult r : runs) {
      csv.append(line(List.of(r.dir().toString(), r.dataset(), r.method(), r.model(),
          r.seed().isPresent() ? Long.toString(r.seed().getAsLong()) : "", r.state().name().toLowerCase(Locale.ROOT),
          r.detail(), Integer.toString(r.values().size()),
          r.counted() ? number(Aggregation.median(
              r.values().stream().mapToDouble(Double::doubleValue).toArray())) : "",
          r.trainable().isPresent() ? Long.toString(r.trainable().getAsLong()) : "",
          r.baseParameters().isPresent() ? Long.toString(r.baseParameters().getAsLong()) : "")));
    }
    return csv.toString();
  }

  private static String number(double v) {
    return Double.toString(v);
  }

  private static String line(List<String> cells) {
    return cells.stream().map(CsvReport::quote).collect(Collectors.joining(",", "", "\r\n"));
  }

  private static String quote(String cell) {
    if (cell.contains(",") || cell.contains("\"") || cell.contains("\n") || cell.contains("\r")) {
      return '"' + cell.replace("\"", "\"\"") + '"';
    }
    return cell;
  }
}
