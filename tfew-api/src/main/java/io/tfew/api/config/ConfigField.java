package io.tfew.api.config;

import java.util.List;
import java.util.Objects;

/**
 * One key of a plugin's YAML section: its name, type, default and a one-line description.
 *
 * <p>The same declaration drives validation (unknown keys and wrong types are errors that name the key)
 * and {@code tfew plugins}, which prints it.
 *
 * <pre>{@code
 * List<ConfigField> fields = List.of(
 *     ConfigField.ofInt("r", 4, "rank r of the update B A"),
 *     ConfigField.ofDouble("alpha", 8.0, "scaling numerator: the update is multiplied by alpha / r"),
 *     ConfigField.ofStrings("target_modules", List.of(".*\\.(q|v)$"), "regexes over HF module paths"));
 * }</pre>
 *
 * @param key the YAML key, lowercase with underscores
 * @param type the value's type
 * @param defaultValue the value used when the key is absent; {@code null} means the key is required
 * @param doc a one-line description, citing the paper's symbol where there is one
 */
public record ConfigField(String key, ConfigType type, Object defaultValue, String doc) {

  public ConfigField {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(doc, "doc");
    if (defaultValue != null) {
      type.check(defaultValue, "default of '" + key + "'");
    }
  }

  public boolean required() {
    return defaultValue == null;
  }

  public static ConfigField ofInt(String key, Integer defaultValue, String doc) {
    return new ConfigField(key, ConfigType.INT, defaultValue, doc);
  }

  public static ConfigField ofDouble(String key, Double defaultValue, String doc) {
    return new ConfigField(key, ConfigType.DOUBLE, defaultValue, doc);
  }

  public static ConfigField ofBoolean(String key, Boolean defaultValue, String doc) {
    return new ConfigField(key, ConfigType.BOOLEAN, defaultValue, doc);
  }

  public static ConfigField ofString(String key, String defaultValue, String doc) {
    return new ConfigField(key, ConfigType.STRING, defaultValue, doc);
  }

  /** A file path; see {@link ConfigType#PATH} for how relative paths resolve. */
  public static ConfigField ofPath(String key, String defaultValue, String doc) {
    return new ConfigField(key, ConfigType.PATH, defaultValue, doc);
  }

  public static ConfigField ofStrings(String key, List<String> defaultValue, String doc) {
    return new ConfigField(key, ConfigType.STRING_LIST, defaultValue, doc);
  }
}
