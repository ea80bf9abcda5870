package io.tfew.experiments.config;

import io.tfew.api.config.ConfigException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Dotted key paths: {@code train.lr}, {@code peft[0].r}. Segments are map keys ({@link String}) or
 * list indices ({@link Integer}); the empty path is the top level.
 */
final class KeyPath {
  // A key is anything without the path syntax characters; an index is a non-negative decimal.
  private static final Pattern SEGMENT = Pattern.compile("([^.\\[\\]]+)((?:\\[\\d+\\])*)");
  private static final Pattern INDEX = Pattern.compile("\\[(\\d+)\\]");

  private KeyPath() {}

  static String child(String parent, String key) {
    return parent.isEmpty() ? key : parent + "." + key;
  }

  static String element(String parent, int index) {
    return parent + "[" + index + "]";
  }

  /** The segments of {@code path}, or a {@link ConfigException} starting with {@code where}. */
  static List<Object> parse(String path, String where) {
    List<Object> segments = new ArrayList<>();
    if (path.isEmpty()) {
      return segments;
    }
    for (String part : path.split("\\.", -1)) {
      Matcher m = SEGMENT.matcher(part);
      if (!m.matches()) {
        throw new ConfigException(where + ": '" + path + "' is not a key path; write keys separated by dots, "
            + "with [N] for list elements, e.g. train.lr or peft[0].r");
      }
      segments.add(m.group(1));
      Matcher idx = INDEX.matcher(m.group(2));
      while (idx.find()) {
        try {
          segments.add(Integer.parseInt(idx.group(1)));
        } catch (NumberFormatException e) {
          throw new ConfigException(where + ": list index [" + idx.group(1) + "] is too large");
        }
      }
    }
    return segments;
  }

  static String format(List<Object> segments) {
    StringBuilder sb = new StringBuilder();
    for (Object s : segments) {
      if (s instanceof Integer i) {
        sb.append('[').append(i).append(']');
      } else {
        if (sb.length() > 0) {
          sb.append('.');
        }
        sb.append(s);
      }
    }
    return sb.toString();
  }

  /** The value at {@code segments} in {@code root}, or {@code null} where any step is absent. */
  static Object get(Object root, List<Object> segments) {
    Object node = root;
    for (Object s : segments) {
      if (s instanceof Integer i) {
        if (!(node instanceof List<?> list) || i >= list.size()) {
          return null;
        }
        node = list.get(i);
      } else {
        if (!(node instanceof java.util.Map<?, ?> map)) {
          return null;
        }
        node = map.get(s);
      }
    }
    return node;
  }

  /** A short description of a value's shape, for "expected X but found Y" messages. */
  static String describe(Object value) {
    if (value == null) {
      return "nothing (null)";
    }
    if (value instanceof java.util.Map) {
      return "a map";
    }
    if (value instanceof List) {
      return "a list";
    }
    return "'" + value + "'";
  }
}
