package io.tfew.core.cli;

import com.google.inject.Inject;
import io.tfew.api.PluginProvider;
import io.tfew.api.config.ConfigField;
import io.tfew.api.config.ConfigSection;
import io.tfew.api.peft.PeftMethodProvider;
import io.tfew.core.model.SiteRewrites;
import io.tfew.core.model.T5Config;
import io.tfew.core.plugin.PluginRegistry;
import io.tfew.core.runtime.ModelGraph;
import io.tfew.core.score.RankScoringGraph;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code tfew plugins}: what is installed, with config keys and, for a model, trainable parameters. */
@Command(name = "plugins", mixinStandardHelpOptions = true,
    description = "List installed PEFT methods, losses and evaluators with their config keys.")
public final class PluginsCommand implements Callable<Integer> {
  @Option(names = "--model", paramLabel = "CONFIG_OR_DIR",
      description = "A config.json (or a directory holding one): also print each method's trainable parameter "
          + "count with its default options on that architecture. No weights are read.")
  Path model;

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
    if (model != null) {
      config = T5Config.read(Files.isDirectory(model) ? model.resolve("config.json") : model);
      out.printf(Locale.ROOT, "model %s: %,d base parameters%n", config.source(), config.parameterCount());
    }
    section(out, "PEFT methods", registry.methods(), config);
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
        count = String.format(Locale.ROOT, "  [%,d trainable parameters with defaults]", trainable(m, config));
      }
      out.println("  " + p.name() + " - " + p.description() + count);
      for (ConfigField f : p.configFields()) {
        out.printf(Locale.ROOT, "      %-24s %-18s %s%s%n", f.key(), f.type().description(),
            f.doc(), f.required() ? " (required)" : " (default: " + f.defaultValue() + ")");
      }
    }
  }

  /** Builds the graph (no session, no weights) with the method applied and counts what it declared. */
  private static long trainable(PeftMethodProvider provider, T5Config config) {
    ConfigSection defaults = ConfigSection.defaults(provider.name(), provider.configFields());
    SiteRewrites rewrites = new SiteRewrites(List.of(new SiteRewrites.Active(provider.name(), provider.create(defaults))));
    try (ModelGraph graph = new ModelGraph(config, rewrites, false, 1, 0L)) {
      RankScoringGraph.build(graph.ops(), graph.model());
      return graph.parameters().count();
    }
  }
}
