package io.tfew.cli;

import com.google.inject.Inject;
import io.tfew.api.TfewException;
import io.tfew.core.plugin.PluginContext;
import io.tfew.core.plugin.PluginRegistry;
import io.tfew.core.runtime.NativeBuild;
import io.tfew.experiments.run.ExperimentRunner;
import io.tfew.experiments.sweep.CellCommand;
import io.tfew.experiments.sweep.CellParameterCount;
import io.tfew.experiments.sweep.CellRun;
import io.tfew.experiments.sweep.CellState;
import io.tfew.experiments.sweep.GridCell;
import io.tfew.experiments.sweep.LocalWorkers;
import io.tfew.experiments.sweep.SlurmScript;
import io.tfew.experiments.sweep.SweepPlan;
import io.tfew.experiments.sweep.WorkerDevices;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tfew sweep}: every cell of a grid as an ordinary {@code tfew train} run, locally or on Slurm. */
@Command(name = "sweep", mixinStandardHelpOptions = true,
    description = {"Run every cell of a grid (a base recipe times axes) as a tfew train run in OUT/<cell>/.",
        "Finished cells are skipped and interrupted ones resume, so running a sweep again completes it.",
        "Exit status: 0 all cells finished; 1 a cell failed (its log is named); 3 a cell is locked by "
            + "another running process."})
public final class SweepCommand implements Callable<Integer> {
  /** Exit status when a cell failed. */
  public static final int FAILED = 1;

  @Parameters(index = "0", paramLabel = "GRID.yaml", description = "The grid: base recipe and axes.")
  Path grid;

  @Option(names = "--out", paramLabel = "DIR", description = "Sweep directory (default: the grid's out, else runs/<grid name>).")
  Path out;

  @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a config key in every cell, e.g. model=bigscience/T0_3B.")
  List<String> overrides = new ArrayList<>();

  @Option(names = "--workers", paramLabel = "N", defaultValue = "1", description = "Cells run at once, each in its own JVM (default: ${DEFAULT-VALUE}).")
  int workers;

  @Option(names = "--devices", paramLabel = "IDS", description = "Under ./tfew --gpu: the GPUs the local workers "
      + "take in turn, one each, e.g. 0,1 (CUDA_VISIBLE_DEVICES ids; default: this sweep's CUDA_VISIBLE_DEVICES, "
      + "else every GPU).")
  String devices;

  @Option(names = "--dry-run", description = "List the cells with their state and directory; run nothing.")
  boolean dryRun;

  @Option(names = "--cell", paramLabel = "I", description = "Run cell I in this process (what each worker and Slurm task runs).")
  Integer cell;

  @Option(names = "--slurm", description = "Write OUT/sweep.slurm (a job array, task i = cell i) and OUT/cells.tsv; submit nothing.")
  boolean slurm;

  @Option(names = "--slurm-partition", paramLabel = "NAME", defaultValue = "", description = "#SBATCH --partition.")
  String partition;

  @Option(names = "--slurm-time", paramLabel = "D-HH:MM:SS", defaultValue = "24:00:00", description = "#SBATCH --time per cell (default: ${DEFAULT-VALUE}).")
  String time;

  @Option(names = "--slurm-cpus", paramLabel = "N", defaultValue = "8", description = "#SBATCH --cpus-per-task (default: ${DEFAULT-VALUE}).")
  int cpus;

  @Option(names = "--slurm-mem", paramLabel = "SIZE", defaultValue = "64G", description = "#SBATCH --mem (default: ${DEFAULT-VALUE}).")
  String mem;

  @Option(names = "--slurm-gpus", paramLabel = "N", description = "GPUs per cell, #SBATCH --gres=gpu:N (default: 1 "
      + "under ./tfew --gpu; none, and no --gres line, on the CPU build).")
  Integer gpus;

  @Option(names = "--slurm-max-parallel", paramLabel = "K", defaultValue = "0", description = "Most cells running at once (--array=...%K); 0: no limit.")
  int maxParallel;

  @Option(names = "--slurm-account", paramLabel = "NAME", defaultValue = "", description = "#SBATCH --account.")
  String account;

  @Spec
  CommandSpec spec;

  private final ExperimentRunner runner;
  private final PluginRegistry registry;
  private final PluginContext plugins;

  @Inject
  SweepCommand(ExperimentRunner runner, PluginRegistry registry, PluginContext plugins) {
    this.runner = runner;
    this.registry = registry;
    this.plugins = plugins;
  }

  @Override
  public Integer call() {
    boolean gpuBuild = NativeBuild.usesGpu(NativeBuild.ofThisJvm());
    int slurmGpus = slurmGpus(gpus, gpuBuild);
    if (devices != null && !gpuBuild) {
      throw new TfewException("--devices " + devices + ": this tfew runs TensorFlow's CPU build, which uses no GPU; "
          + "run ./tfew --gpu sweep ... to give the workers GPUs, or drop --devices");
    }
    if (devices != null && slurm) {
      throw new TfewException("--devices " + devices + " with --slurm: Slurm gives each task its own GPUs "
          + "(--slurm-gpus N); drop --devices");
    }
    WorkerDevices workerDevices = devices != null ? WorkerDevices.of(devices) : WorkerDevices.NONE;
    SweepPlan plan = SweepPlan.load(grid, out, overrides, registry);
    PrintWriter stdout = spec.commandLine().getOut();
    if (cell != null) {
      return CellRun.run(plan, cell, runner, new LogProgress(stdout), stdout);
    }
    if (dryRun) {
      stdout.printf(Locale.ROOT, "%d cells of %s in %s%n", plan.cells().size(), grid, plan.out());
      // Each cell's trainable count on its model's config.json, to hold against a paper's table.
      CellParameterCount counts = new CellParameterCount(registry);
      for (SweepPlan.Planned p : plan.cells()) {
        String count = counts.of(plan.grid(), p).map(c -> "  [" + c.describe() + "]")
            .orElse("  [count: model " + p.config().model() + " is not a local directory]");
        stdout.printf(Locale.ROOT, "%4d  %-12s %-40s %s%s%n", p.cell().index(), state(p).label(), p.cell().name(),
            p.cell().dir(), count);
      }
      stdout.flush();
      return 0;
    }
    CellCommand command = CellCommand.forThisJvm(plan, TfewCli.class.getName(), plugins.childArguments());
    if (slurm) {
      Map<String, String> env = new LinkedHashMap<>();
      // The launcher's settings for the native library; Slurm itself sets each task's CUDA_VISIBLE_DEVICES.
      for (String name : List.of("TF_ENABLE_ONEDNN_OPTS", "TF_CPP_MIN_LOG_LEVEL", "TF_DETERMINISTIC_OPS",
          "TF_CUDNN_DETERMINISTIC", "TF_FORCE_GPU_ALLOW_GROWTH")) {
        if (System.getenv(name) != null) {
          env.put(name, System.getenv(name));
        }
      }
      Path script = SlurmScript.write(plan, command, new SlurmScript.Resources(partition, time, cpus, mem, slurmGpus,
          maxParallel, account), Path.of("").toAbsolutePath(), env);
      stdout.println("wrote " + script + " (" + plan.cells().size() + " array tasks) and "
          + script.resolveSibling(SlurmScript.CELLS) + "; submit with: sbatch " + script);
      stdout.flush();
      return 0;
    }
    if (gpuBuild && devices == null) {
      workerDevices = WorkerDevices.visible(System.getenv(), WorkerDevices.NVIDIA_GPUS);
    }
    return runLocally(plan, command, workerDevices, stdout);
  }

  /**
   * The GPUs each Slurm task asks for: {@code option} when given, else one on the CUDA build and none on the CPU
   * build, which cannot use them (a CPU run holding a GPU would keep it from other jobs).
   */
  static int slurmGpus(Integer option, boolean gpuBuild) {
    if (option == null) {
      return gpuBuild ? 1 : 0;
    }
    if (option < 0) {
      throw new TfewException("--slurm-gpus " + option + ": give 0 or more");
    }
    if (option > 0 && !gpuBuild) {
      throw new TfewException("--slurm-gpus " + option + ": this tfew runs TensorFlow's CPU build, so the tasks would "
          + "hold GPUs they never use; run ./tfew --gpu sweep ... --slurm, or drop --slurm-gpus");
    }
    return option;
  }

  private CellState state(SweepPlan.Planned p) {
    return CellState.of(p.cell().dir(), p.config().resolved().toYaml());
  }

  private int runLocally(SweepPlan plan, CellCommand command, WorkerDevices devices, PrintWriter stdout) {
    List<GridCell> todo = new ArrayList<>();
    int finished = 0;
    for (SweepPlan.Planned p : plan.cells()) {
      if (state(p) == CellState.FINISHED) {
        finished++;
      } else {
        todo.add(p.cell());
      }
    }
    stdout.printf(Locale.ROOT, "%d cells in %s: %d finished, %d to run with %d worker%s%s%n", plan.cells().size(),
        plan.out(), finished, todo.size(), workers, workers == 1 ? "" : "s",
        devices.devices().isEmpty() ? "" : " on GPUs " + String.join(",", devices.devices()));
    stdout.flush();
    List<LocalWorkers.Result> results;
    try (ProgressBar bar = Progress.bar("sweep", plan.cells().size(), "cell")) {
      bar.stepTo(finished);
      Set<String> running = new LinkedHashSet<>();
      results = new LocalWorkers(workers, command, devices).run(todo, new LocalWorkers.Listener() {
        @Override
        public void started(GridCell c) {
          running.add(c.name());
          bar.setExtraMessage("running " + String.join(", ", running));
        }

        @Override
        public void ended(LocalWorkers.Result r) {
          running.remove(r.cell().name());
          bar.step();
          bar.setExtraMessage("running " + String.join(", ", running));
          stdout.printf(Locale.ROOT, "%-8s %s (%.0f s)%s%n", r.status().name().toLowerCase(Locale.ROOT),
              r.cell().name(), r.time().toMillis() / 1e3,
              r.status() == LocalWorkers.Status.FINISHED ? "" : ": see " + r.log());
          stdout.flush();
        }
      });
    }
    List<LocalWorkers.Result> failed = results.stream().filter(r -> r.status() == LocalWorkers.Status.FAILED).toList();
    List<LocalWorkers.Result> busy = results.stream().filter(r -> r.status() == LocalWorkers.Status.BUSY).toList();
    PrintWriter stderr = spec.commandLine().getErr();
    for (LocalWorkers.Result r : failed) {
      stderr.printf(Locale.ROOT, "tfew: cell %d %s failed (exit %d); its log: %s%n", r.cell().index(),
          r.cell().name(), r.exitCode(), r.log());
    }
    for (LocalWorkers.Result r : busy) {
      stderr.printf(Locale.ROOT, "tfew: cell %d %s is being run by another process (%s); run the sweep again "
          + "once it ends%n", r.cell().index(), r.cell().name(), io.tfew.experiments.sweep.CellLock.owner(r.cell().dir()));
    }
    stderr.flush();
    stdout.printf(Locale.ROOT, "%d of %d cells finished%n", finished + results.size() - failed.size() - busy.size(),
        plan.cells().size());
    stdout.flush();
    return !failed.isEmpty() ? FAILED : !busy.isEmpty() ? CellRun.BUSY : 0;
  }

  /** Plain lines per phase: a cell's output goes to its log file, where progress bars would be noise. */
  private record LogProgress(PrintWriter log) implements ExperimentRunner.Progress {
    @Override
    public void phase(String name, long total) {
      log.printf(Locale.ROOT, "  %s (%,d)%n", name, total);
      log.flush();
    }

    @Override
    public void advance(long done, String detail) {}

    @Override
    public void done() {}
  }
}
