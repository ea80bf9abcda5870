package io.tfew.api.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * A validated YAML section: every key is declared, every value has its declared type, every
 * undeclared key was rejected, and absent keys hold their defaults.
 *
 * <p>Plugins read their options from it in {@code create}, usually into a record of their own:
 *
 * <pre>{@code
 * PeftMethod create(ConfigSection c) {
 *   return new LoraMethod(new LoraConfig(c.getInt("r"), c.getDouble("alpha"), c.getStrings("target_modules")));
 * }
 * }</pre>
 *
 * <p>Range checks that types cannot express belong to the plugin; {@link #invalid} builds the error
 * with the section's YAML path so messages look alike across plugins.
 */
public final class ConfigSection {
  private final String path;
  private final Map<String, Object> values;

  private ConfigSection(String path, Map<String, Object> values) {
    this.path = path;
    this.values = Collections.unmodifiableMap(values);
  }

  /**
   * Validates {@code raw} against {@code fields}.
   *
   * @param path where the section sits, for messages: {@code "experiment.yaml: peft"}
   * @throws ConfigException naming the key and the allowed keys or type
   */
  public static ConfigSection validate(String path, List<ConfigField> fields, Map<String, ?> raw) {
    Map<String, ConfigField> declared = new LinkedHashMap<>();
    for (ConfigField f : fields) {
      declared.put(f.key(), f);
    }
    Map<String, ?> given = raw == null ? Map.of() : raw;
    for (String key : given.keySet()) {
      if (!declared.containsKey(key)) {
        String allowed = declared.isEmpty() ? "(none: this section takes no keys)"
            : String.join(", ", new TreeSet<>(declared.keySet()));
        throw new ConfigException(path + "." + key + ": unknown key; allowed keys are " + allowed);
      }
    }
    Map<String, Object> values = new LinkedHashMap<>();
    for (ConfigField f : fields) {
      String where = path + "." + f.key();
      Object v = given.get(f.key());
      if (v == null) {
        if (f.required()) {
          throw new ConfigException(where + ": required key is missing (" + f.doc() + "; "
              + f.type().description() + ")");
        }
        v = f.defaultValue();
      }
      values.put(f.key(), f.type().coerce(v, where));
    }
    return new ConfigSection(path, values);
  }

  /** A section holding only the declared defaults, as if the YAML section were empty. */
  public static ConfigSection defaults(String path, List<ConfigField> fields) {
    return validate(path, fields, Map.of());
  }

  public String path() {
    return path;
  }

  public int getInt(String key) {
    return (Integer) get(key);
  }

  public double getDouble(String key) {
    return (Double) get(key);
  }

  public boolean getBoolean(String key) {
    return (Boolean) get(key);
  }

  /** A {@link ConfigType#STRING} or {@link ConfigType#PATH} value. */
  public String getString(String key) {
    return (String) get(key);
  }

  @SuppressWarnings("unchecked")
  public List<String> getStrings(String key) {
    return (List<String>) get(key);
  }

  /** The resolved values in declaration order, for provenance records and adapter configs. */
  public Map<String, Object> asMap() {
    return values;
  }

  /** An error about {@code key}'s value in this section, e.g. {@code invalid("r", "must be >= 1")}. */
  public ConfigException invalid(String key, String problem) {
    return new ConfigException(path + "." + key + " = " + values.get(key) + ": " + problem);
  }

  private Object get(String key) {
    if (!values.containsKey(key)) {
      throw new IllegalArgumentException("key '" + key + "' is not declared in " + path
          + "; declared: " + values.keySet().stream().collect(Collectors.joining(", ")));
    }
    return values.get(key);
  }

  @Override
  public String toString() {
    return path + values;
  }
}
