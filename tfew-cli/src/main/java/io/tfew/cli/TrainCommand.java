package io.tfew.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.inject.Inject;
import io.tfew.api.TfewException;
import io.tfew.core.files.AtomicFile;
import io.tfew.core.files.JsonFileError;
import io.tfew.core.plugin.PluginContext;
import io.tfew.core.plugin.PluginRegistry;
import io.tfew.experiments.config.ExperimentConfig;
import io.tfew.experiments.run.ExperimentRunner;
import io.tfew.experiments.run.PluginJarRecord;
import io.tfew.experiments.run.RunDirectory;
import io.tfew.experiments.sweep.CellLock;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tfew train}: zero-shot evaluation, training and final evaluation from a YAML experiment. */
@Command(name = "train", mixinStandardHelpOptions = true,
    description = "Run an experiment: zero-shot evaluation, training, final evaluation; results in --out.")
public final class TrainCommand implements Callable<Integer> {
  @Parameters(index = "0", arity = "0..1", paramLabel = "CONFIG.yaml", description = "The experiment.")
  Path config;

  @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a config key, e.g. train.lr=1e-3.")
  List<String> overrides = new ArrayList<>();

  @Option(names = "--out", paramLabel = "DIR", description = "Run directory (default: the config's out, else runs/<name>).")
  Path out;

  @Option(names = "--resume", description = "Continue from DIR/checkpoint if a training state is there.")
  boolean resume;

  @Option(names = "--force", description = "Replace a run of another config in the run directory (its checkpoint, "
      + "adapter, predictions and records) instead of refusing.")
  boolean force;

  @Option(names = "--from", paramLabel = "provenance.json",
      description = "Re-run the experiment recorded in a run's provenance.json, with the plugin jars it recorded "
          + "unless --plugin-path or TFEW_PLUGIN_PATH names others; warns when a plugin's jar changed.")
  Path from;

  @Spec
  CommandSpec spec;

  private final ExperimentRunner runner;
  private final PluginRegistry registry;
  private final PluginContext plugins;

  @Inject
  TrainCommand(ExperimentRunner runner, PluginRegistry registry, PluginContext plugins) {
    this.runner = runner;
    this.registry = registry;
    this.plugins = plugins;
  }

  @Override
  public Integer call() throws IOException {
    if ((config == null) == (from == null)) {
      throw new TfewException("give either CONFIG.yaml or --from RUN/provenance.json");
    }
    Path configFile = config;
    List<PluginJarRecord> recordedJars = List.of();
    if (from != null) {
      JsonNode record = readProvenance(from);
      recordedJars = PluginJarRecord.read(record, from);
      // Before anything asks for a plugin: the registry is discovered on first use.
      if (!plugins.pathGiven()) {
        plugins.useRecordedPath(PluginJarRecord.pluginPath(recordedJars, from));
      }
      configFile = configFromProvenance(record, from);
    }
    PrintWriter stderr = spec.commandLine().getErr();
    for (String warning : PluginJarRecord.changes(recordedJars, registry)) {
      stderr.println("tfew: warning: --from " + from + ": " + warning);
    }
    stderr.flush();
    ExperimentConfig experiment = ExperimentConfig.load(configFile, overrides, registry);
    Path dir = out != null ? out : Path.of(experiment.out());
    PrintWriter stdout = spec.commandLine().getOut();
    // Two runs in one directory would interleave their files and leave it marked finished by either.
    Optional<CellLock> lock = CellLock.tryAcquire(dir);
    if (lock.isEmpty()) {
      throw new TfewException(dir + ": another tfew run is writing this directory (" + CellLock.owner(dir)
          + ", lock " + dir.resolve(CellLock.FILE) + "); wait for it to end or give another --out");
    }
    ExperimentRunner.Outcome outcome;
    try (CellLock held = lock.get()) {
      // Holding the lock, any tfew temporary here whose writer is gone is a leftover of a killed run.
      AtomicFile.removeStaleTemporaries(dir);
      RunDirectory.claim(dir, experiment.resolved().toYaml(), force).ifPresent(replaced -> {
        stderr.println("tfew train: --force: " + replaced);
        stderr.flush();
      });
      outcome = runner.run(experiment, dir, resume,
          "tfew train " + String.join(" ", spec.commandLine().getParseResult().originalArgs()), new BarProgress());
    }
    stdout.printf(Locale.ROOT, "run: %s (%,d trainable parameters%s)%n", outcome.dir(), outcome.trainableParameters(),
        outcome.frozenParameters() > 0 ? String.format(Locale.ROOT, ", %,d frozen", outcome.frozenParameters()) : "");
    for (Map.Entry<String, Map<String, Double>> e : outcome.evaluations().entrySet()) {
      StringBuilder line = new StringBuilder(e.getKey());
      e.getValue().forEach((k, v) -> line.append(String.format(Locale.ROOT, " %s=%.4f", k, v)));
      stdout.println(line);
    }
    stdout.flush();
    return 0;
  }

  private static JsonNode readProvenance(Path provenance) {
    if (!Files.isRegularFile(provenance)) {
      throw new TfewException("--from " + provenance + ": no such file");
    }
    JsonNode node;
    try {
      node = new ObjectMapper().readTree(provenance.toFile());
    } catch (IOException e) {
      throw new TfewException(provenance + ": " + JsonFileError.describe(e) + "; pass a run's provenance.json");
    }
    if (node == null || !node.isObject()) {
      throw new TfewException(provenance + ": not a JSON object; is it a tfew provenance.json?");
    }
    return node;
  }

  /** Writes the provenance record's resolved config to a temporary YAML file and returns that file. */
  private static Path configFromProvenance(JsonNode node, Path provenance) throws IOException {
    JsonNode cfg = node.get("config");
    if (cfg == null || !cfg.isObject()) {
      throw new TfewException(provenance + ": has no 'config' object; is it a tfew provenance.json?");
    }
    Object tree = new ObjectMapper().convertValue(cfg, Map.class);
    DumperOptions options = new DumperOptions();
    options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    Path file = Files.createTempFile("tfew-rerun-", ".yaml");
    file.toFile().deleteOnExit();
    Files.writeString(file, new Yaml(options).dump(tree));
    return file;
  }

  /** Progress bars on stderr, one per phase. */
  private static final class BarProgress implements ExperimentRunner.Progress {
    private ProgressBar bar;

    @Override
    public void phase(String name, long total) {
      done();
      bar = Progress.bar(name, total, name.equals("train") ? "step" : name.equals("load") ? "value" : "ex");
    }

    @Override
    public void advance(long done, String detail) {
      if (bar != null) {
        bar.stepTo(done);
        if (!detail.isEmpty()) {
          bar.setExtraMessage(detail);
        }
      }
    }

    @Override
    public void done() {
      if (bar != null) {
        bar.close();
        bar = null;
      }
    }
  }
}
