package io.tfew.cli;

import io.tfew.api.TfewException;
import io.tfew.experiments.report.MarkdownReport;
import io.tfew.experiments.report.ReportFiles;
import io.tfew.experiments.report.ResultsTable;
import io.tfew.experiments.report.RunResult;
import io.tfew.experiments.report.RunScan;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tfew report}: T-Few-style tables and charts from the finished runs under a directory. */
@Command(name = "report", mixinStandardHelpOptions = true,
    description = "Aggregate the runs under DIR (recursively) into report.md, report.csv, runs.csv and a "
        + "self-contained report.html: rows are methods, columns datasets, cells the median (IQR) over "
        + "prompt templates and seeds.")
public final class ReportCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "DIR", description = "Directory holding tfew train run directories.")
  Path dir;

  @Option(names = "--out", paramLabel = "OUTDIR", description = "Where the report goes (default: DIR/report).")
  Path out;

  @Option(names = "--metric", paramLabel = "NAME", defaultValue = "accuracy",
      description = "Metric of the tables, as the evaluator names it (default: ${DEFAULT-VALUE}).")
  String metric;

  @Option(names = "--dataset-key", paramLabel = "KEY",
      description = "Dotted config key whose value names a run's dataset, e.g. name (default: the run's task: a "
          + "sweep's dataset or task axis, else the evaluation file data.eval.path, else name).")
  String datasetKey;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    if (metric.isBlank() || (datasetKey != null && datasetKey.isBlank())) {
      throw new TfewException("--metric and --dataset-key must not be empty");
    }
    List<RunResult> runs = new RunScan(metric, datasetKey).scan(dir);
    if (runs.isEmpty()) {
      throw new TfewException(dir + ": no run directory (one with provenance.json or config.resolved.yaml) "
          + "under it; give the --out directory of tfew train or a directory above several");
    }
    Map<String, Path> written = ReportFiles.write(out != null ? out : dir.resolve("report"), runs, metric);
    PrintWriter stdout = spec.commandLine().getOut();
    stdout.print(MarkdownReport.render(ResultsTable.of(runs), runs, metric));
    stdout.println();
    written.values().forEach(p -> stdout.println("wrote " + p));
    stdout.flush();
    return 0;
  }
}
