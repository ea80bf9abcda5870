package io.tfew.experiments.run;

import com.fasterxml.jackson.databind.JsonNode;
import io.tfew.api.PluginProvider;
import io.tfew.api.TfewException;
import io.tfew.core.plugin.PluginOrigin;
import io.tfew.core.plugin.PluginPath;
import io.tfew.core.plugin.PluginRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One outside plugin jar as {@code provenance.json} records it ({@code plugin_jars}): its absolute path,
 * SHA-256 and the providers it contributed. A re-run ({@code train --from}) loads the recorded jars when
 * no plugin path is given, and warns when a provider the run used now comes from a changed jar.
 *
 * <pre>{@code
 * "plugin_jars": [{"path": "/home/me/vera.jar", "sha256": "3f1c...",
 *                  "providers": [{"kind": "peft_method", "name": "vera", "class": "org.me.VeraProvider"}]}]
 * }</pre>
 */
public record PluginJarRecord(Path path, String sha256, List<PluginRegistry.Provided> providers) {
  public static final String KEY = "plugin_jars";

  /** The records of every jar on {@code registry}'s plugin path, with their current digests. */
  public static List<PluginJarRecord> of(PluginRegistry registry) {
    List<PluginJarRecord> jars = new ArrayList<>();
    registry.outsideProviders().forEach((jar, providers) ->
        jars.add(new PluginJarRecord(jar, FileDigests.sha256(jar), providers)));
    return jars;
  }

  /** As provenance.json holds it. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("path", path.toString());
    m.put("sha256", sha256);
    List<Map<String, Object>> list = new ArrayList<>();
    for (PluginRegistry.Provided p : providers) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("kind", p.kind());
      row.put("name", p.name());
      row.put("class", p.className());
      list.add(row);
    }
    m.put("providers", list);
    return m;
  }

  /** The jars a provenance record lists (none for records written before tfew recorded them). */
  public static List<PluginJarRecord> read(JsonNode provenance, Path file) {
    JsonNode jars = provenance.get(KEY);
    List<PluginJarRecord> records = new ArrayList<>();
    if (jars == null || jars.isNull()) {
      return records;
    }
    if (!jars.isArray()) {
      throw new TfewException(file + ": '" + KEY + "' is not a list; is it a tfew provenance.json?");
    }
    for (int i = 0; i < jars.size(); i++) {
      JsonNode jar = jars.get(i);
      String where = file + ": " + KEY + "[" + i + "]";
      if (!jar.path("path").isTextual() || !jar.path("sha256").isTextual()) {
        throw new TfewException(where + ": needs a 'path' and a 'sha256' string");
      }
      List<PluginRegistry.Provided> providers = new ArrayList<>();
      for (JsonNode p : jar.path("providers")) {
        providers.add(new PluginRegistry.Provided(p.path("kind").asText(), p.path("name").asText(),
            p.path("class").asText(), new PluginOrigin(Optional.of(Path.of(jar.get("path").asText())), true)));
      }
      records.add(new PluginJarRecord(Path.of(jar.get("path").asText()), jar.get("sha256").asText(), providers));
    }
    return records;
  }

  /**
   * The plugin path of the recorded jars, for a re-run that names none.
   *
   * @throws TfewException naming the first recorded jar that no longer exists
   */
  public static PluginPath pluginPath(List<PluginJarRecord> records, Path file) {
    List<Path> jars = new ArrayList<>();
    for (PluginJarRecord r : records) {
      if (!Files.isRegularFile(r.path())) {
        throw new TfewException(file + ": the run used the plugin jar " + r.path() + ", which no longer exists; "
            + "put it back, or give the jar's new place with --plugin-path");
      }
      jars.add(r.path());
    }
    return PluginPath.of(jars, file + ": " + KEY);
  }

  /**
   * Warnings for a re-run: each recorded provider that now comes from a jar whose SHA-256 differs from the
   * recorded one (the same path rebuilt, or another jar), or from tfew's class path instead of a jar.
   */
  public static List<String> changes(List<PluginJarRecord> records, PluginRegistry now) {
    List<String> warnings = new ArrayList<>();
    Map<Path, String> digests = new LinkedHashMap<>();
    for (PluginJarRecord r : records) {
      List<String> moved = new ArrayList<>();
      for (PluginRegistry.Provided p : r.providers()) {
        PluginProvider current = switch (p.kind()) {
          case "peft_method" -> now.methods().get(p.name());
          case "loss" -> now.losses().get(p.name());
          case "evaluator" -> now.evaluators().get(p.name());
          default -> null;
        };
        if (current == null) {
          continue; // the config then names a plugin that is not installed, which is its own error
        }
        PluginOrigin origin = now.origin(current);
        if (!origin.outside()) {
          moved.add(p.name() + " now comes from " + origin.describeWithLocation());
          continue;
        }
        Path jar = origin.location().orElseThrow();
        String sha = digests.computeIfAbsent(jar, FileDigests::sha256);
        if (!sha.equals(r.sha256())) {
          moved.add(p.name() + " now comes from " + (jar.equals(r.path()) ? "it" : jar) + " with sha256 " + sha);
        }
      }
      if (!moved.isEmpty()) {
        warnings.add("the plugin jar " + r.path() + " changed since the run (recorded sha256 " + r.sha256() + "; "
            + String.join("; ", moved) + "); the re-run may not repeat it");
      }
    }
    return warnings;
  }
}
