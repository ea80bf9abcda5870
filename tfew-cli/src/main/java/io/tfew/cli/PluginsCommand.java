package io.tfew.cli;

import com.google.inject.Inject;
import io.tfew.api.PluginProvider;
import io.tfew.api.TfewException;
import io.tfew.api.config.ConfigField;
import io.tfew.api.config.ConfigSection;
import io.tfew.api.peft.PeftMethodProvider;
import io.tfew.core.model.T5Config;
import io.tfew.core.plugin.PluginRegistry;
import io.tfew.core.runtime.ActiveMethod;
import io.tfew.core.runtime.TrainableCount;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tfew plugins}: what is installed, where each plugin came from (a module jar of tfew's class path
 * or a jar of the plugin path), with config keys and, for a model, trainable parameters.
 */
@Command(name = "plugins", mixinStandardHelpOptions = true,
    description = "List installed PEFT methods, losses and evaluators with where each came from and its config "
        + "keys. Plugin jars outside tfew are added with tfew --plugin-path JARS plugins, or TFEW_PLUGIN_PATH.")
public final class PluginsCommand implements Callable<Integer> {
  @Option(names = "--model", paramLabel = "CONFIG_OR_DIR",
      description = "A config.json (or a directory holding one): also print each method's trainable parameter "
          + "count with its default options on that architecture. No weights are read.")
  Path model;

  @Option(names = "--set", paramLabel = "METHOD.KEY=VALUE",
      description = "With --model, also count METHOD with these options (YAML values), e.g. the T-Few paper's "
          + "settings: lora.train_layer_norms=true, prompt_tuning.num_virtual_tokens=100.")
  List<String> sets = new ArrayList<>();

  @Spec
  CommandSpec spec;

  private final PluginRegistry registry;

  @Inject
  PluginsCommand(PluginRegistry registry) {
    this.registry = registry;
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    T5Config config = null;
    Map<String, Map<String, Object>> overrides = overrides();
    if (model == null && !overrides.isEmpty()) {
      throw new TfewException("--set counts parameters on a model; add --model CONFIG_OR_DIR");
    }
    if (model != null) {
      config = T5Config.read(Files.isDirectory(model) ? model.resolve("config.json") : model);
      out.printf(Locale.ROOT, "model %s: %,d base parameters%n", config.source(), config.parameterCount());
    }
    section(out, "PEFT methods", registry.methods(), config);
    for (Map.Entry<String, Map<String, Object>> e : overrides.entrySet()) {
      PeftMethodProvider p = registry.method(e.getKey(), "--set " + e.getKey() + ".KEY");
      ConfigSection section = ConfigSection.validate("--set " + e.getKey(), p.configFields(), e.getValue());
      TrainableCount.Counts counts =
          TrainableCount.counts(config, List.of(new ActiveMethod(p.name(), p, section, Optional.empty())));
      out.printf(Locale.ROOT, "%s with %s: %,d trainable parameters%s%n", p.name(), e.getValue(), counts.trainable(),
          counts.frozenSuffix());
    }
    section(out, "losses", registry.losses(), null);
    section(out, "evaluators", registry.evaluators(), null);
    out.flush();
    return 0;
  }

  private void section(PrintWriter out, String title, Map<String, ? extends PluginProvider> plugins, T5Config config) {
    out.println(title + ":");
    if (plugins.isEmpty()) {
      out.println("  (none installed)");
    }
    for (PluginProvider p : plugins.values()) {
      String count = "";
      if (config != null && p instanceof PeftMethodProvider m) {
        TrainableCount.Counts counts = trainable(m, config);
        count = String.format(Locale.ROOT, "  [%,d trainable parameters%s with defaults]", counts.trainable(),
            counts.frozenSuffix());
      }
      out.println("  " + p.name() + " - " + p.description() + count);
      out.println("      from: " + registry.origin(p).describeWithLocation());
      for (ConfigField f : p.configFields()) {
        out.printf(Locale.ROOT, "      %-24s %-18s %s%s%n", f.key(), f.type().description(),
            f.doc(), f.required() ? " (required)" : " (default: " + f.defaultValue() + ")");
      }
    }
  }

  /** Builds the graph (no session, no weights) with the method applied and counts what it declared. */
  private static TrainableCount.Counts trainable(PeftMethodProvider provider, T5Config config) {
    ConfigSection defaults = ConfigSection.defaults(provider.name(), provider.configFields());
    return TrainableCount.counts(config, List.of(new ActiveMethod(provider.name(), provider, defaults, Optional.empty())));
  }

  /** {@code --set lora.r=8 --set lora.train_layer_norms=true} grouped by method, values read as YAML scalars or lists. */
  private Map<String, Map<String, Object>> overrides() {
    Map<String, Map<String, Object>> byMethod = new LinkedHashMap<>();
    for (String s : sets) {
      int eq = s.indexOf('=');
      int dot = s.indexOf('.');
      if (eq < 0 || dot < 1 || dot > eq - 2) {
        throw new TfewException("--set " + s + ": expected METHOD.KEY=VALUE, e.g. lora.r=8");
      }
      Object value;
      try {
        value = new Yaml(new SafeConstructor(new LoaderOptions())).load(s.substring(eq + 1));
      } catch (RuntimeException e) {
        throw new TfewException("--set " + s + ": the value is not a YAML scalar or list (" + e.getMessage() + ")");
      }
      byMethod.computeIfAbsent(s.substring(0, dot), k -> new LinkedHashMap<>()).put(s.substring(dot + 1, eq), value);
    }
    return byMethod;
  }
}
