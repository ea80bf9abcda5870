package io.tfew.experiments.report;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The results table as text cells, shared by the Markdown and HTML renderings so both read alike.
 *
 * <p>Metric values are shown times 100 with one decimal, as T-Few's tables show accuracy: a cell reads
 * {@code median (IQR)}. The share of the model reads with three significant digits.
 *
 * @param header the column names
 * @param rows one list of cells per method, as long as the header
 * @param countHeader the method and dataset columns
 * @param counts per method, the method then each dataset's {@code runs (pooled values)}
 * @param notes footnotes the cells refer to
 */
public record TableText(List<String> header, List<List<String>> rows, List<String> countHeader,
    List<List<String>> counts, List<String> notes) {
  static final String PARTIAL = "*";

  public static TableText of(ResultsTable table) {
    List<String> header = new ArrayList<>(List.of("method", "trainable params", "% of model"));
    header.addAll(table.datasets());
    header.add("mean of medians");
    List<List<String>> rows = new ArrayList<>();
    List<List<String>> counts = new ArrayList<>();
    boolean partial = false;
    for (ResultsTable.Row row : table.rows()) {
      List<String> cells = new ArrayList<>(List.of(row.method(), parameters(row.trainable()),
          row.percent().isPresent() ? share(row.percent().getAsDouble()) : "-"));
      List<String> count = new ArrayList<>(List.of(row.method()));
      for (String dataset : table.datasets()) {
        ResultsTable.Cell cell = row.cells().get(dataset);
        cells.add(cell == null ? "-" : metric(cell.summary().median()) + " (" + metric(cell.summary().iqr()) + ")");
        count.add(cell == null ? "-" : cell.runs() + " (" + cell.values() + ")");
      }
      boolean covers = row.covers(table.datasets());
      partial |= !covers;
      cells.add(metric(row.meanOfMedians()) + (covers ? "" : PARTIAL));
      rows.add(cells);
      counts.add(count);
    }
    List<String> notes = new ArrayList<>();
    if (partial) {
      notes.add(PARTIAL + " mean over the datasets this method has runs for, not all " + table.datasets().size());
    }
    List<String> countHeader = new ArrayList<>(List.of("method"));
    countHeader.addAll(table.datasets());
    return new TableText(List.copyOf(header), List.copyOf(rows), List.copyOf(countHeader), List.copyOf(counts),
        List.copyOf(notes));
  }

  /** A metric in [0, 1] as T-Few prints it: times 100, one decimal. */
  static String metric(double value) {
    return String.format(Locale.ROOT, "%.1f", 100 * value);
  }

  static String parameters(List<Long> counts) {
    if (counts.isEmpty()) {
      return "-";
    }
    return counts.stream().map(c -> String.format(Locale.ROOT, "%,d", c)).collect(Collectors.joining(" / "));
  }

  static String share(double percent) {
    if (percent == 0) {
      return "0";
    }
    return percent >= 100 ? String.format(Locale.ROOT, "%.0f", percent)
        : new BigDecimal(percent).round(new MathContext(3)).stripTrailingZeros().toPlainString();
  }
}
