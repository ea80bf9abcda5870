package io.tfew.experiments.sweep;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line that runs one cell: {@code java ... MAIN [--plugin-path JARS] sweep GRID --out DIR
 * [--set K=V ...] --cell I}, with this JVM's executable, class path and options and this invocation's plugin
 * jars. {@code MAIN} is the caller's command-line entry point ({@code io.tfew.cli.TfewCli} for {@code tfew
 * sweep}); it is passed in because this layer sits below the command line and never names it. Local workers start it as a child process and the Slurm script runs it with
 * {@code I = $SLURM_ARRAY_TASK_ID}, so a cell runs the same way, with the same plugins, wherever it runs.
 *
 * @param prefix everything before the cell index
 */
public record CellCommand(List<String> prefix) {
  public CellCommand {
    prefix = List.copyOf(prefix);
  }

  /**
   * The command for {@code plan}'s cells with this JVM's java, class path and heap options, running
   * {@code mainClass} (which must accept the {@code sweep ... --cell I} command line), and no plugin path.
   */
  public static CellCommand forThisJvm(SweepPlan plan, String mainClass) {
    return forThisJvm(plan, mainClass, List.of());
  }

  /**
   * As {@link #forThisJvm(SweepPlan, String)}, with {@code pluginArguments} ({@code
   * PluginContext.childArguments()}) before the command, so that each worker loads exactly the plugin jars of
   * this invocation.
   */
  public static CellCommand forThisJvm(SweepPlan plan, String mainClass, List<String> pluginArguments) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      // Debuggers and agents (coverage, IDEs) belong to this process, not to every worker.
      if (!arg.startsWith("-agentlib") && !arg.startsWith("-javaagent") && !arg.startsWith("-agentpath")
          && !arg.startsWith("-Xdebug") && !arg.startsWith("-Xrunjdwp")) {
        cmd.add(arg);
      }
    }
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(mainClass);
    cmd.addAll(pluginArguments);
    cmd.addAll(sweepArguments(plan));
    return new CellCommand(cmd);
  }

  /** {@code sweep GRID --out DIR [--set K=V ...] --cell}, with absolute paths. */
  static List<String> sweepArguments(SweepPlan plan) {
    List<String> args = new ArrayList<>();
    args.add("sweep");
    args.add(plan.grid().file().toAbsolutePath().normalize().toString());
    args.add("--out");
    args.add(plan.out().toAbsolutePath().normalize().toString());
    for (String override : plan.overrides()) {
      args.add("--set");
      args.add(override);
    }
    args.add("--cell");
    return args;
  }

  /** The command for cell {@code index}. */
  public List<String> forCell(int index) {
    List<String> cmd = new ArrayList<>(prefix);
    cmd.add(Integer.toString(index));
    return cmd;
  }
}
