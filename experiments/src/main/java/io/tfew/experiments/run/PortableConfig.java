package io.tfew.experiments.run;

import io.tfew.api.config.ConfigField;
import io.tfew.api.config.ConfigType;
import io.tfew.core.plugin.PluginRegistry;
import io.tfew.experiments.config.ExperimentConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The resolved config as provenance records it: every file path made absolute (model directory, data,
 * templates, plugin keys of type path), so {@code tfew train --from provenance.json} finds the same files
 * from any directory.
 *
 * <pre>{@code
 * Map<String, Object> tree = PortableConfig.of(config, RunPaths.of(config), registry);
 * }</pre>
 */
final class PortableConfig {
  private PortableConfig() {}

  static Map<String, Object> of(ExperimentConfig config, RunPaths paths, PluginRegistry registry) {
    @SuppressWarnings("unchecked")
    Map<String, Object> tree = (Map<String, Object>) copy(config.resolved().tree());
    Path modelPath = Path.of(paths.model());
    if (Files.isDirectory(modelPath)) {
      tree.put("model", modelPath.toAbsolutePath().normalize().toString());
    }
    setPath(tree, "data.train.path", paths.trainData());
    paths.evalData().ifPresent(p -> setPath(tree, "data.eval.path", p));
    paths.templates().ifPresent(p -> setPath(tree, "data.templates.file", p));
    if (tree.get("peft") instanceof List<?> entries) {
      for (int i = 0; i < entries.size() && i < config.peft().size(); i++) {
        ExperimentConfig.PeftEntry entry = config.peft().get(i);
        if (!(entries.get(i) instanceof Map<?, ?> raw)) {
          continue;
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> section = (Map<String, Object>) raw;
        for (ConfigField f : registry.method(entry.method(), entry.config().path()).configFields()) {
          if (f.type() == ConfigType.PATH && section.get(f.key()) instanceof String) {
            String value = entry.config().getString(f.key());
            Path p = Path.of(value);
            section.put(f.key(), Files.exists(p) ? p.toAbsolutePath().normalize().toString() : value);
          }
        }
      }
    }
    return tree;
  }

  @SuppressWarnings("unchecked")
  private static void setPath(Map<String, Object> tree, String dotted, Path value) {
    String[] keys = dotted.split("\\.");
    Map<String, Object> at = tree;
    for (int i = 0; i < keys.length - 1; i++) {
      at = (Map<String, Object>) at.computeIfAbsent(keys[i], k -> new LinkedHashMap<String, Object>());
    }
    at.put(keys[keys.length - 1], value.toString());
  }

  private static Object copy(Object node) {
    if (node instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      m.forEach((k, v) -> out.put(String.valueOf(k), copy(v)));
      return out;
    }
    if (node instanceof List<?> l) {
      List<Object> out = new ArrayList<>();
      l.forEach(v -> out.add(copy(v)));
      return out;
    }
    return node;
  }
}
