package io.tfew.cli;

import com.google.inject.Inject;
import io.tfew.api.TfewException;
import io.tfew.core.data.AtomicText;
import io.tfew.core.plugin.PluginRegistry;
import io.tfew.experiments.config.ExperimentConfig;
import io.tfew.experiments.demo.DemoCell;
import io.tfew.experiments.demo.DemoGrid;
import io.tfew.experiments.demo.DemoRunner;
import io.tfew.experiments.demo.DemoTable;
import io.tfew.experiments.demo.LrSelection;
import io.tfew.experiments.run.ExperimentRunner;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tfew demo}: few-shot learning on mini-T0's held-out tasks with every method of the grid, zero-shot
 * included, and T-Few's table of the results.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {"Zero-shot and few-shot runs of every method on mini-T0's held-out tasks (the grid in "
        + "experiments/mini-t0/demo.yaml), then a table: per task the median accuracy over samples x templates "
        + "with its interquartile range, the mean of the medians, and the trainable parameters."})
public final class DemoCommand implements Callable<Integer> {
  @Option(names = "--grid", paramLabel = "FILE", description = "The grid (default: experiments/mini-t0/demo.yaml "
      + "of this checkout).")
  Path grid;

  @Option(names = "--methods", split = ",", paramLabel = "M1,M2", description = "Only these methods of the grid.")
  List<String> methods;

  @Option(names = "--tasks", split = ",", paramLabel = "T1,T2", description = "Only these held-out tasks.")
  List<String> tasks;

  @Option(names = "--seeds", paramLabel = "N", description = "Few-shot samples (and seeds) 0..N-1 (default: the "
      + "grid's).")
  Integer seeds;

  @Option(names = "--steps", paramLabel = "N", description = "Training steps per run (default: the recipes').")
  int steps;

  @Option(names = "--no-zero-shot", description = "Leave out the zero-shot row.")
  boolean noZeroShot;

  @Option(names = "--model", paramLabel = "DIR", description = "Base checkpoint instead of the recipes' model.")
  Path model;

  @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a key of every run's recipe.")
  List<String> sets = new ArrayList<>();

  @Option(names = "--workers", paramLabel = "N", defaultValue = "2",
      description = "Methods trained side by side, one thread each (default: ${DEFAULT-VALUE}).")
  int workers;

  @Option(names = "--tune", description = "Choose each method's learning rate instead: train every rate of the "
      + "grid's tune.lr on each task's validation rows (never its test rows) and print, per method, the one rate "
      + "with the best mean of validation medians over all tasks; --seeds sets the samples tried (default: "
      + "tune.seeds).")
  boolean tune;

  @Option(names = "--out", paramLabel = "DIR", description = "Keep every run's directory (provenance, metrics, "
      + "predictions, adapter) under DIR/<method>/<task>/seed<N>, with table.md and table.csv; default: runs "
      + "go to a temporary directory that is deleted.")
  Path out;

  @Spec
  CommandSpec spec;

  private final ExperimentRunner runner;
  private final PluginRegistry registry;

  @Inject
  DemoCommand(ExperimentRunner runner, PluginRegistry registry) {
    this.runner = runner;
    this.registry = registry;
  }

  /** The demo grid of this checkout; the launcher passes its root as {@code tfew.home}. */
  static Path defaultGrid() {
    return Path.of(System.getProperty("tfew.home", "."), "experiments", "mini-t0", "demo.yaml");
  }

  @Override
  public Integer call() throws IOException {
    long start = System.nanoTime();
    if (workers < 1) {
      throw new TfewException("--workers " + workers + ": must be at least 1");
    }
    if (steps < 0) {
      throw new TfewException("--steps " + steps + ": must be at least 1");
    }
    Path gridFile = grid != null ? grid : defaultGrid();
    if (!Files.isRegularFile(gridFile)) {
      throw new TfewException(gridFile + ": no demo grid here; run ./tfew demo from a tfew checkout or pass "
          + "--grid FILE");
    }
    DemoGrid g = DemoGrid.load(gridFile);
    if (methods != null) {
      g = g.withMethods(methods);
    }
    if (tasks != null) {
      g = g.withTasks(tasks);
    }
    if (seeds != null) {
      g = tune ? g.withTuneSeeds(seeds) : g.withSeeds(seeds);
    }
    List<DemoCell> cells = tune ? g.tuneCells() : g.cells();
    if (noZeroShot) {
      cells = cells.stream().filter(c -> !c.method().equals(DemoCell.ZERO_SHOT)).toList();
    }
    List<String> overrides = new ArrayList<>(sets);
    if (model != null) {
      overrides.add("model=" + model.toAbsolutePath());
    }
    long totalSteps = 0;
    for (DemoCell c : cells) {
      if (!c.method().equals(DemoCell.ZERO_SHOT)) {
        totalSteps += steps > 0 ? steps : ExperimentConfig.load(c.recipe(), overrides, registry).train().steps();
      }
    }

    Path dir = out != null ? out.toAbsolutePath() : Files.createTempDirectory("tfew-demo-");
    PrintWriter stdout = spec.commandLine().getOut();
    stdout.printf(Locale.ROOT, "tfew demo%s: %d runs (%s) on %s%s, %d workers%n", tune ? " --tune" : "",
        cells.size(), String.join(", ", new LinkedHashSet<>(cells.stream().map(DemoCell::method).toList())),
        String.join(", ", g.tasks()), tune ? " (validation rows)" : "", workers);
    stdout.flush();
    List<DemoRunner.CellResult> results;
    try (ProgressBar bar = Progress.bar("demo", totalSteps, "step")) {
      results = new DemoRunner(runner, registry).run(cells, overrides, steps, dir, workers, new BarListener(bar,
          cells.size()));
    } finally {
      if (out == null) {
        deleteTree(dir);
      }
    }
    if (tune) {
      printSelection(stdout, g, LrSelection.of(g.tasks(), results), cells.size(), start, out != null ? dir : null);
      return 0;
    }
    DemoTable table = DemoTable.of(g.tasks(), results);
    double seconds = (System.nanoTime() - start) / 1e9;
    stdout.printf(Locale.ROOT, "%nAccuracy (%%) on the held-out tasks: median over %d sample%s x every "
        + "template [interquartile range]; %d shots%n%n", g.seeds(), g.seeds() == 1 ? "" : "s", g.shots());
    stdout.print(table.text());
    stdout.printf(Locale.ROOT, "%n%d runs in %.1f s%s%n", cells.size(), seconds,
        out != null ? "; runs, table.md and table.csv in " + dir : "");
    stdout.flush();
    if (out != null) {
      AtomicText.write(dir.resolve("table.md"), table.markdown());
      AtomicText.write(dir.resolve("table.csv"), table.csv());
    }
    return 0;
  }

  private static void printSelection(PrintWriter stdout, DemoGrid g, LrSelection selection, int runs, long start,
      Path dir) {
    stdout.printf(Locale.ROOT, "%nAccuracy (%%) on the validation rows: median over %d sample%s x every template "
        + "[interquartile range]; %d shots; < marks each method's choice%n%n", g.tuneSeeds(),
        g.tuneSeeds() == 1 ? "" : "s", g.shots());
    stdout.print(selection.text());
    stdout.printf(Locale.ROOT, "%nOne learning rate per method for every task (T-Few's rule), best mean on "
        + "validation:%n");
    selection.chosen().forEach((m, lr) -> stdout.printf(Locale.ROOT, "  %s: train.lr %s%n", m, DemoCell.lrText(lr)));
    stdout.printf(Locale.ROOT, "What each task alone would choose (for comparison; not used):%n");
    selection.perTask().forEach((m, byTask) -> stdout.printf(Locale.ROOT, "  %s: %s%n", m, String.join(", ",
        byTask.entrySet().stream().map(e -> e.getKey() + " " + DemoCell.lrText(e.getValue())).toList())));
    stdout.printf(Locale.ROOT, "%n%d runs in %.1f s%s%n", runs, (System.nanoTime() - start) / 1e9,
        dir != null ? "; runs, tune.md and tune.csv in " + dir : "");
    stdout.flush();
    if (dir != null) {
      AtomicText.write(dir.resolve("tune.md"), selection.markdown());
      AtomicText.write(dir.resolve("tune.csv"), selection.csv());
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** One bar over every training step of the grid; its message names the runs in progress. */
  private static final class BarListener implements DemoRunner.Listener {
    private final ProgressBar bar;
    private final int total;
    private final Map<Integer, String> running = new ConcurrentHashMap<>();
    private final Set<String> done = ConcurrentHashMap.newKeySet();

    BarListener(ProgressBar bar, int total) {
      this.bar = bar;
      this.total = total;
    }

    @Override
    public void started(int worker, DemoCell cell) {
      running.put(worker, cell.name());
      message();
    }

    @Override
    public void trained(long steps) {
      bar.stepBy(steps);
    }

    @Override
    public void finished(int worker, DemoRunner.CellResult result) {
      done.add(result.cell().name());
      running.remove(worker);
      message();
    }

    private void message() {
      bar.setExtraMessage(String.format(Locale.ROOT, "%d/%d runs; %s", done.size(), total,
          String.join(", ", new java.util.TreeMap<>(running).values())));
    }
  }
}
