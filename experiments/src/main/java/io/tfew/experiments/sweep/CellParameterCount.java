package io.tfew.experiments.sweep;

import io.tfew.api.TfewException;
import io.tfew.api.config.ConfigSection;
import io.tfew.api.peft.PeftMethodProvider;
import io.tfew.core.model.T5Config;
import io.tfew.core.plugin.PluginRegistry;
import io.tfew.core.runtime.ActiveMethod;
import io.tfew.core.runtime.TrainableCount;
import io.tfew.experiments.config.ExperimentConfig;
import io.tfew.experiments.run.RunPaths;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The trainable parameters of a sweep's cells on the model each cell names, counted from the model's
 * {@code config.json} alone (no weights are read), so a grid that reproduces a paper's table can be held
 * against the table's counts before anything runs.
 *
 * <p>A paper may count another form of a method than the one trained: T-Few's Table 4 counts prefix
 * tuning's final prefixes, not the MLP it trains them through. A cell says so with the placeholder var
 * {@value #COUNT_WITH}: {@code METHOD.KEY=VALUE} overrides, separated by spaces, under which its count
 * is taken; the count then reports both numbers.
 *
 * <pre>{@code
 * CellParameterCount counts = new CellParameterCount(registry);
 * for (SweepPlan.Planned p : plan.cells()) {
 *   System.out.println(p.cell().name() + " " + counts.of(plan.grid(), p).describe());
 * }
 * }</pre>
 */
public final class CellParameterCount {
  /** The grid var naming the options a cell's reported count is taken with. */
  public static final String COUNT_WITH = "count_with";

  /**
   * One cell's count.
   *
   * @param reported the count as the grid reports it: with {@link #COUNT_WITH}'s options where the cell
   *     sets them, otherwise {@link #trained}
   * @param trained the parameters the cell's training updates
   * @param countedWith the cell's {@link #COUNT_WITH} text, empty when none
   */
  public record Count(long reported, long trained, String countedWith) {
    public String describe() {
      if (countedWith.isEmpty()) {
        return String.format(java.util.Locale.ROOT, "%,d trainable", trained);
      }
      return String.format(java.util.Locale.ROOT, "%,d trainable counted with %s (%,d updated in training)",
          reported, countedWith, trained);
    }
  }

  private final PluginRegistry registry;
  private final Map<String, Long> cache = new HashMap<>();

  public CellParameterCount(PluginRegistry registry) {
    this.registry = registry;
  }

  /**
   * Counts {@code cell}; empty when its model is not a local directory or {@code config.json} (a Hugging
   * Face repo id is not looked up, since that could download).
   *
   * @throws TfewException naming the grid and cell when {@link #COUNT_WITH} is malformed
   */
  public Optional<Count> of(Grid grid, SweepPlan.Planned cell) {
    ExperimentConfig config = cell.config();
    Path model = Path.of(RunPaths.model(config));
    Path json = Files.isDirectory(model) ? model.resolve("config.json") : model;
    if (!Files.isRegularFile(json)) {
      return Optional.empty();
    }
    String countWith = grid.vars(cell.cell()).getOrDefault(COUNT_WITH, "").trim();
    T5Config t5 = T5Config.read(json);
    long trained = count(json, t5, config.peft(), Map.of(), countWith);
    long reported = countWith.isEmpty() ? trained
        : count(json, t5, config.peft(), overrides(grid, cell.cell(), countWith), countWith);
    return Optional.of(new Count(reported, trained, countWith));
  }

  private long count(Path json, T5Config t5, List<ExperimentConfig.PeftEntry> peft,
      Map<String, Map<String, Object>> overrides, String countWith) {
    List<ActiveMethod> methods = new ArrayList<>();
    StringBuilder key = new StringBuilder(json.toAbsolutePath().normalize().toString());
    for (ExperimentConfig.PeftEntry entry : peft) {
      PeftMethodProvider provider = registry.method(entry.method(), entry.config().path());
      Map<String, Object> options = new LinkedHashMap<>(entry.config().asMap());
      options.putAll(overrides.getOrDefault(entry.method(), Map.of()));
      ConfigSection section = ConfigSection.validate(entry.config().path() + " (" + COUNT_WITH + " " + countWith + ")",
          provider.configFields(), options);
      methods.add(new ActiveMethod(entry.method(), provider, section, Optional.empty()));
      key.append('|').append(entry.method()).append(section.asMap());
    }
    if (methods.isEmpty()) {
      return 0;
    }
    return cache.computeIfAbsent(key.toString(), k -> TrainableCount.of(t5, methods));
  }

  private static Map<String, Map<String, Object>> overrides(Grid grid, GridCell cell, String countWith) {
    Map<String, Map<String, Object>> byMethod = new LinkedHashMap<>();
    for (String s : countWith.split("\\s+")) {
      int eq = s.indexOf('=');
      int dot = s.indexOf('.');
      if (eq < 0 || dot < 1 || dot > eq - 2) {
        throw new TfewException(grid.file() + ": cell " + cell.name() + ": vars." + COUNT_WITH + " '" + s
            + "': expected METHOD.KEY=VALUE, e.g. prefix_tuning.reparameterize=false");
      }
      Object value = new Yaml(new SafeConstructor(new LoaderOptions())).load(s.substring(eq + 1));
      byMethod.computeIfAbsent(s.substring(0, dot), k -> new LinkedHashMap<>()).put(s.substring(dot + 1, eq), value);
    }
    return byMethod;
  }
}
