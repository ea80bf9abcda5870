package io.tfew.experiments.report;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** The report as Markdown: the results table, how many runs each cell pooled, and the runs left out. */
public final class MarkdownReport {
  private MarkdownReport() {}

  public static String render(ResultsTable table, List<RunResult> runs, String metric) {
    TableText text = TableText.of(table);
    StringBuilder md = new StringBuilder();
    md.append("# tfew report: ").append(escape(metric)).append("\n\n");
    long counted = runs.stream().filter(RunResult::counted).count();
    md.append(counted).append(" of ").append(runs.size()).append(" runs counted. ")
        .append("Each cell is the median (IQR) of the final ").append(escape(metric))
        .append(" x 100 over every prompt template of every seed; the last column is the mean of the row's medians.\n\n");
    if (table.rows().isEmpty()) {
      md.append("No finished run with a final '").append(escape(metric)).append("' was found.\n");
    } else {
      appendTable(md, text.header(), text.rows(), true);
      for (String note : text.notes()) {
        md.append('\n').append(escape(note)).append('\n');
      }
      md.append("\n## Runs (pooled values) per cell\n\n");
      appendTable(md, text.countHeader(), text.counts(), false);
    }
    List<RunResult> left = runs.stream().filter(r -> !r.counted()).toList();
    if (!left.isEmpty()) {
      md.append("\n## Runs not counted\n\n");
      appendTable(md, List.of("run", "dataset", "method", "seed", "state", "why"), left.stream()
          .map(r -> List.of(r.dir().toString(), r.dataset(), r.method(),
              r.seed().isPresent() ? Long.toString(r.seed().getAsLong()) : "-", r.state().name().toLowerCase(Locale.ROOT),
              r.detail()))
          .toList(), false);
    }
    return md.toString();
  }

  private static void appendTable(StringBuilder md, List<String> header, List<List<String>> rows, boolean numeric) {
    md.append(line(header));
    md.append(header.stream().map(h -> numeric && !h.equals("method") ? "---:" : "---")
        .collect(Collectors.joining("|", "|", "|\n")));
    rows.forEach(r -> md.append(line(r)));
  }

  private static String line(List<String> cells) {
    return cells.stream().map(MarkdownReport::escape).collect(Collectors.joining(" | ", "| ", " |\n"));
  }

  /**
   * Keeps text from data and configs as text: pipes and line breaks would split a cell, and Markdown
   * renderers pass HTML through, so a dataset named {@code <script>} would become markup. Entities read
   * back as the same characters.
   */
  static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        .replace("\\", "\\\\").replace("|", "\\|").replace("*", "\\*").replace("`", "\\`")
        .replace("\r", " ").replace("\n", " ");
  }
}
