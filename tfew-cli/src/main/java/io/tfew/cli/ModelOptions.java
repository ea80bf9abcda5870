package io.tfew.cli;

import io.tfew.api.TfewException;
import io.tfew.api.config.ConfigSection;
import io.tfew.core.adapter.AdapterDirectory;
import io.tfew.core.hub.ModelLocator;
import io.tfew.core.plugin.PluginRegistry;
import io.tfew.core.runtime.ActiveMethod;
import io.tfew.core.runtime.TaskAdapters;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Option;

/** The options every command that runs a model shares. */
final class ModelOptions {
  /** {@code TASK=DIR}; a task name is a word such as {@code rte} or {@code super_glue.cb}. */
  private static final Pattern NAMED = Pattern.compile("([A-Za-z0-9_.\\-]+)=(.+)");

  @Option(names = "--model", required = true, paramLabel = "DIR_OR_REPO_ID",
      description = "Hugging Face model directory, or a repo id (org/name[@revision]) resolved from the HF cache.")
  String model;

  @Option(names = "--adapter", paramLabel = "[TASK=]DIR",
      description = "Adapter directory (adapter_config.json + adapter_model.safetensors), written by tfew or HF PEFT. "
          + "Repeat TASK=DIR to hold one adapter per task; each data row's \"task\" then picks its adapter.")
  List<String> adapters = new ArrayList<>();

  @Option(names = "--max-seq-len", defaultValue = "256", paramLabel = "N",
      description = "Truncate the input and each answer choice to N tokens, EOS kept (default: ${DEFAULT-VALUE}).")
  int maxSeqLen;

  private final List<Path> plain = new ArrayList<>();
  private final Map<String, Path> byTask = new LinkedHashMap<>();

  void validate() {
    if (maxSeqLen < 2) {
      throw new TfewException("--max-seq-len " + maxSeqLen + ": must be at least 2 (one token and EOS)");
    }
    plain.clear();
    byTask.clear();
    for (String a : adapters) {
      Matcher named = NAMED.matcher(a);
      // A directory whose own name contains '=' still loads as a plain adapter.
      if (named.matches() && !Files.isDirectory(Path.of(a))) {
        Path dir = Path.of(named.group(2));
        if (!Files.isDirectory(dir)) {
          throw new TfewException("--adapter " + a + ": no such directory " + dir);
        }
        if (byTask.putIfAbsent(named.group(1), dir) != null) {
          throw new TfewException("--adapter " + a + ": task '" + named.group(1) + "' is given twice");
        }
      } else {
        if (!Files.isDirectory(Path.of(a))) {
          throw new TfewException("--adapter " + a + ": no such directory");
        }
        plain.add(Path.of(a));
      }
    }
    if (!plain.isEmpty() && !byTask.isEmpty()) {
      throw new TfewException("--adapter: give either plain directories (methods applied to every row) or "
          + "TASK=DIR pairs (one adapter per task), not both; got " + plain + " and " + byTask.keySet());
    }
  }

  Path resolveModel(ModelLocator locator) {
    return locator.resolve(model);
  }

  /** The adapters given as {@code TASK=DIR}, read and checked; empty when none was. Call {@link #validate} first. */
  Optional<TaskAdapters> taskAdapters(PluginRegistry registry) {
    return byTask.isEmpty() ? Optional.empty() : Optional.of(TaskAdapters.read(byTask, registry));
  }

  /**
   * The plain adapters as active methods, in the order given; a composed run's adapter directory
   * contributes its methods in their recorded order. Call {@link #validate} first.
   */
  List<ActiveMethod> methods(PluginRegistry registry) {
    List<ActiveMethod> active = new ArrayList<>();
    for (Path dir : plain.stream().flatMap(d -> AdapterDirectory.members(d).stream()).toList()) {
      AdapterDirectory.Spec spec = AdapterDirectory.read(dir, registry);
      ConfigSection config = ConfigSection.validate(spec.configFile() + ": tfew_config",
          spec.provider().configFields(), spec.methodConfig());
      active.add(new ActiveMethod(spec.provider().name(), spec.provider(), config, Optional.of(dir)));
    }
    return active;
  }
}
