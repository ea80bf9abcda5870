package io.tfew.cli;

import com.google.inject.Guice;
import com.google.inject.Injector;
import io.tfew.api.TfewException;
import io.tfew.core.hub.HubSettings;
import io.tfew.core.plugin.PluginContext;
import io.tfew.core.runtime.TfewModule;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/** The {@code tfew} command line. */
@Command(name = "tfew", mixinStandardHelpOptions = true, version = "tfew 0.1.0",
    description = "Few-shot parameter-efficient fine-tuning of T5-family models.",
    subcommands = {
        ScoreCommand.class,
        GenerateCommand.class,
        TrainCommand.class,
        SweepCommand.class,
        ReportCommand.class,
        PluginsCommand.class,
        DoctorCommand.class,
        BenchCommand.class,
        CostCommand.class,
        AdapterCommand.class,
        PretrainCommand.class,
        MiniT0Command.class,
        DemoCommand.class,
        CommandLine.HelpCommand.class})
public final class TfewCli implements Runnable {
  /** Exit status for bad input: arguments, config, data, checkpoints. */
  public static final int USAGE = 2;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  // Read from the parse result in run(); declared here for parsing and --help. Inherited, so that it may also
  // follow the command (tfew train x.yaml --plugin-path vera.jar), where users tend to put it.
  @CommandLine.Option(names = PluginContext.OPTION, paramLabel = "JARS", scope = CommandLine.ScopeType.INHERIT,
      description = "Plugin jars outside tfew, or directories whose *.jar files are all taken, separated by ':'. "
          + "Before or after the command, e.g. tfew --plugin-path vera.jar train x.yaml. Replaces "
          + "TFEW_PLUGIN_PATH; sweep workers, Slurm tasks and bench children get the same jars.")
  List<String> pluginPath;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(),
        "name a command: " + String.join(", ", spec.subcommands().keySet()));
  }

  public static void main(String[] args) {
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** Runs the CLI with the given streams and returns the exit status (tests call this). */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    return run(args, out, err, System.getenv());
  }

  /**
   * As {@link #run(String[], PrintWriter, PrintWriter)}, reading {@code TFEW_PLUGIN_PATH} from
   * {@code environment} instead of the process's (tests cannot set a running JVM's environment).
   */
  public static int run(String[] args, PrintWriter out, PrintWriter err, Map<String, String> environment) {
    try (PluginContext plugins = new PluginContext(environment)) {
      return run(args, out, err, plugins);
    }
  }

  private static int run(String[] args, PrintWriter out, PrintWriter err, PluginContext plugins) {
    Injector injector = Guice.createInjector(new TfewModule(HubSettings.fromEnvironment(), plugins));
    CommandLine cli = new CommandLine(new TfewCli(), new GuiceFactory(injector));
    cli.setOut(out);
    cli.setErr(err);
    CommandLine.IExecutionStrategy commands = new CommandLine.RunLast();
    cli.setExecutionStrategy(parsed -> {
      plugins.optionGiven(pluginPathOption(parsed));
      return commands.execute(parsed);
    });
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      if (e instanceof TfewException) {
        err.println("tfew: error: " + e.getMessage());
        err.flush();
        return USAGE;
      }
      throw e;
    });
    return cli.execute(args);
  }

  /** The {@code --plugin-path} values, wherever on the command line they were given (once). */
  private static List<String> pluginPathOption(CommandLine.ParseResult parsed) {
    List<String> found = null;
    String foundAt = null;
    for (CommandLine.ParseResult level = parsed; level != null; level = level.subcommand()) {
      List<String> values = level.matchedOptionValue(PluginContext.OPTION, null);
      if (values != null) {
        if (found != null) {
          throw new CommandLine.ParameterException(level.commandSpec().commandLine(), PluginContext.OPTION
              + " is given both after '" + foundAt + "' and after '" + level.commandSpec().qualifiedName()
              + "'; give it once, with every jar separated by ':'");
        }
        found = values;
        foundAt = level.commandSpec().qualifiedName();
      }
    }
    return found;
  }

  /** Lets picocli create commands through Guice, so they receive their dependencies by constructor. */
  private record GuiceFactory(Injector injector) implements CommandLine.IFactory {
    @Override
    public <K> K create(Class<K> cls) throws Exception {
      try {
        return injector.getInstance(cls);
      } catch (com.google.inject.ConfigurationException e) {
        return CommandLine.defaultFactory().create(cls);
      }
    }
  }
}
