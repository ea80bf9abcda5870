package io.tfew.experiments.config;

import io.tfew.api.config.ConfigException;
import io.tfew.api.config.ConfigSection;
import io.tfew.experiments.config.ConfigSchema.PluginEntry;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The result of {@link ConfigSchema#validate}: one {@link ConfigSection} per fixed section (defaults
 * filled in), and the validated plugin lists, weight maps and name lists, by their registered paths.
 *
 * <p>{@link #error} builds a located message for checks that types cannot express (ranges, keys that
 * depend on each other), so they read like the schema's own.
 */
public final class ValidatedConfig {
  private final ResolvedConfig resolved;
  private final Map<String, ConfigSection> sections;
  private final Map<String, List<PluginEntry>> plugins;
  private final Map<String, Map<String, Double>> weights;
  private final Map<String, Map<String, ConfigSection>> weightConfigs;
  private final Map<String, List<String>> names;

  ValidatedConfig(ResolvedConfig resolved, Map<String, ConfigSection> sections,
      Map<String, List<PluginEntry>> plugins, Map<String, Map<String, Double>> weights,
      Map<String, Map<String, ConfigSection>> weightConfigs, Map<String, List<String>> names) {
    this.resolved = resolved;
    this.sections = Collections.unmodifiableMap(new LinkedHashMap<>(sections));
    Map<String, List<PluginEntry>> p = new LinkedHashMap<>();
    plugins.forEach((k, v) -> p.put(k, List.copyOf(v)));
    this.plugins = Collections.unmodifiableMap(p);
    this.weights = Collections.unmodifiableMap(new LinkedHashMap<>(weights));
    this.weightConfigs = Collections.unmodifiableMap(new LinkedHashMap<>(weightConfigs));
    this.names = Collections.unmodifiableMap(new LinkedHashMap<>(names));
  }

  /** The config that was validated, with its origins. */
  public ResolvedConfig resolved() {
    return resolved;
  }

  /** The fixed section registered at {@code path} ({@code ""}: the top level). */
  public ConfigSection section(String path) {
    return require(sections, path, "section");
  }

  /** The entries of the plugin list at {@code path}, in YAML order. */
  public List<PluginEntry> plugins(String path) {
    return require(plugins, path, "plugin list");
  }

  /** The weights of the weight map at {@code path}, by canonical plugin name, in YAML order. */
  public Map<String, Double> weights(String path) {
    return require(weights, path, "weight map");
  }

  /** The config sections of the weight map's plugins, keyed like {@link #weights}. */
  public Map<String, ConfigSection> weightConfigs(String path) {
    return require(weightConfigs, path, "weight map");
  }

  /** The names of the name list at {@code path}, canonical and in YAML order. */
  public List<String> names(String path) {
    return require(names, path, "name list");
  }

  /**
   * An error about {@code dottedKey}'s value, located like the schema's own:
   * {@code error("train.lr", "must be > 0")} gives {@code exp.yaml:7: train.lr: must be > 0}.
   */
  public ConfigException error(String dottedKey, String problem) {
    return new ConfigException(resolved.locate(dottedKey) + ": " + problem);
  }

  private static <T> T require(Map<String, T> map, String path, String what) {
    T v = map.get(path);
    if (v == null) {
      throw new IllegalArgumentException("no " + what + " is registered at '" + path + "'; registered: "
          + map.keySet());
    }
    return v;
  }
}
