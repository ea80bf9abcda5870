package io.tfew.experiments.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The dotted keys at which two resolved configs differ, for messages that say why a run directory
 * belongs to another experiment ("train.lr, seed") instead of only that it does.
 *
 * <pre>{@code
 * List<String> keys = ConfigDifference.keys(recorded, config.resolved().tree()); // ["seed", "train.lr"]
 * }</pre>
 */
public final class ConfigDifference {
  private ConfigDifference() {}

  /** Sorted dotted paths whose values differ (present in one tree only counts as differing). */
  public static List<String> keys(Map<?, ?> a, Map<?, ?> b) {
    Map<String, Object> flatA = new TreeMap<>();
    Map<String, Object> flatB = new TreeMap<>();
    flatten("", a, flatA);
    flatten("", b, flatB);
    TreeSet<String> all = new TreeSet<>(flatA.keySet());
    all.addAll(flatB.keySet());
    List<String> differing = new ArrayList<>();
    for (String key : all) {
      if (!Objects.equals(normal(flatA.get(key)), normal(flatB.get(key))) || flatA.containsKey(key) != flatB.containsKey(key)) {
        differing.add(key);
      }
    }
    return differing;
  }

  private static void flatten(String prefix, Object value, Map<String, Object> into) {
    if (value instanceof Map<?, ?> map && !map.isEmpty()) {
      map.forEach((k, v) -> flatten(prefix.isEmpty() ? String.valueOf(k) : prefix + "." + k, v, into));
    } else {
      into.put(prefix, value);
    }
  }

  // YAML reads 1 as Integer and 1.0e-3 as Double; a number is compared by value, whatever its Java type.
  private static Object normal(Object value) {
    if (value instanceof Number n && !(value instanceof Double || value instanceof Float)) {
      return n.longValue() == n.doubleValue() ? (Object) n.doubleValue() : n.toString();
    }
    if (value instanceof Float f) {
      return f.doubleValue();
    }
    return value;
  }
}
