package io.tfew.api.config;

import java.util.List;

/** The value types a plugin's config key may have; YAML scalars and lists map onto them. */
public enum ConfigType {
  INT("an integer"),
  DOUBLE("a number"),
  BOOLEAN("true or false"),
  STRING("a string"),
  /**
   * A string naming a file. When a YAML file sets it to a relative path and that path exists next to
   * the YAML file, core passes the plugin the absolute path, so recipes can sit beside their files
   * whatever the working directory; other values (keywords such as {@code ones}) pass unchanged.
   */
  PATH("a file path (relative to the config file that sets it)"),
  STRING_LIST("a list of strings");

  private final String description;

  ConfigType(String description) {
    this.description = description;
  }

  public String description() {
    return description;
  }

  /**
   * Converts a raw YAML value to this type's Java representation, or fails naming {@code where}.
   *
   * <p>Integers are accepted where numbers are expected (YAML writes {@code 1} for {@code 1.0}), but
   * never the reverse: {@code r: 4.5} is an error, not a silent truncation.
   */
  public Object coerce(Object raw, String where) {
    switch (this) {
      case INT:
        if (raw instanceof Integer || raw instanceof Long || raw instanceof Short || raw instanceof Byte) {
          long v = ((Number) raw).longValue();
          if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
            return (int) v;
          }
        }
        if (raw instanceof Long || raw instanceof java.math.BigInteger) {
          // Said outright: narrowing would turn 4294967300 into 4 and 2147483648 into -2147483648.
          throw new ConfigException(where + ": " + raw + " is out of range; an integer here is between "
              + Integer.MIN_VALUE + " and " + Integer.MAX_VALUE);
        }
        break;
      case DOUBLE:
        if (raw instanceof Number) {
          double v = ((Number) raw).doubleValue();
          if (!Double.isFinite(v)) {
            // No option means anything at NaN or infinity (YAML .nan, .inf, or 1e999); each would
            // poison every score and still print an accuracy.
            throw new ConfigException(where + ": " + raw + " is not a finite number");
          }
          return v;
        }
        break;
      case BOOLEAN:
        if (raw instanceof Boolean) {
          return raw;
        }
        break;
      case STRING:
      case PATH:
        if (raw instanceof String) {
          return raw;
        }
        break;
      case STRING_LIST:
        if (raw instanceof String) {
          return List.of((String) raw);
        }
        if (raw instanceof List<?> list && list.stream().allMatch(e -> e instanceof String)) {
          return list.stream().map(String.class::cast).toList();
        }
        break;
      default:
        break;
    }
    throw new ConfigException(where + ": expected " + description + " but found "
        + (raw == null ? "nothing" : "'" + raw + "'"));
  }

  void check(Object value, String where) {
    coerce(value, where);
  }
}
