package io.tfew.experiments.report;

import io.tfew.api.TfewException;
import io.tfew.core.data.AtomicText;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a report's files into a directory: {@code report.md}, {@code report.csv}, {@code runs.csv} and
 * {@code report.html}. Each goes to a temporary file beside its target, then is renamed onto it, so a
 * reader never sees half a report.
 *
 * <pre>{@code
 * List<RunResult> runs = new RunScan("accuracy", "name").scan(Path.of("runs"));
 * Map<String, Path> written = ReportFiles.write(Path.of("runs/report"), runs, "accuracy");
 * }</pre>
 */
public final class ReportFiles {
  public static final String MARKDOWN = "report.md";
  public static final String TABLE_CSV = "report.csv";
  public static final String RUNS_CSV = "runs.csv";
  public static final String HTML = "report.html";

  private ReportFiles() {}

  /** Renders and writes every file; returns them by name, in writing order. */
  public static Map<String, Path> write(Path dir, List<RunResult> runs, String metric) {
    ResultsTable table = ResultsTable.of(runs);
    Map<String, String> files = new LinkedHashMap<>();
    files.put(MARKDOWN, MarkdownReport.render(table, runs, metric));
    files.put(TABLE_CSV, CsvReport.table(table));
    files.put(RUNS_CSV, CsvReport.runs(runs));
    files.put(HTML, HtmlReport.render(table, runs, metric));
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new TfewException(dir + ": cannot create the report directory (" + e.getMessage() + "); choose another --out");
    }
    Map<String, Path> written = new LinkedHashMap<>();
    files.forEach((name, text) -> written.put(name, AtomicText.write(dir.resolve(name), text)));
    return written;
  }
}
