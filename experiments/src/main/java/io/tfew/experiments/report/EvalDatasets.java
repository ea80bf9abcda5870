package io.tfew.experiments.report;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Short column names for the evaluation files of a report's runs: the part of their paths that tells them
 * apart. {@code tasks/rating/test.jsonl} and {@code tasks/not_like/test.jsonl} become {@code rating} and
 * {@code not_like}; {@code data/rte.jsonl} and {@code data/cb.jsonl} become {@code rte} and {@code cb}.
 * A lone file is named by its stem, or by its folder when the stem only names a split
 * ({@code rating/test.jsonl} is {@code rating}).
 *
 * <pre>{@code
 * EvalDatasets.labels(List.of("/x/tasks/rating/test.jsonl", "/x/tasks/cb/test.jsonl"))
 *     // {"/x/tasks/rating/test.jsonl": "rating", "/x/tasks/cb/test.jsonl": "cb"}
 * }</pre>
 */
public final class EvalDatasets {
  /** File stems that say which split a file is, not which dataset. */
  static final Set<String> SPLIT_NAMES = Set.of("test", "eval", "validation", "valid", "val", "dev", "train");

  private EvalDatasets() {}

  /** A label for each distinct file of {@code files}; distinct files get distinct labels. */
  public static Map<String, String> labels(List<String> files) {
    List<String> distinct = new ArrayList<>(new TreeSet<>(files));
    Map<String, String> labels = new LinkedHashMap<>();
    if (distinct.size() == 1) {
      labels.put(distinct.get(0), alone(distinct.get(0)));
      return labels;
    }
    List<List<String>> parts = distinct.stream().map(EvalDatasets::components).toList();
    int shortest = parts.stream().mapToInt(List::size).min().orElse(0);
    int prefix = 0;
    while (prefix < shortest - 1 && sameFromStart(parts, prefix)) {
      prefix++;
    }
    int suffix = 0;
    while (prefix + suffix < shortest - 1 && sameFromEnd(parts, suffix)) {
      suffix++;
    }
    List<String> middles = new ArrayList<>();
    for (List<String> p : parts) {
      middles.add(String.join("/", p.subList(prefix, p.size() - suffix)));
    }
    // The extension is noise unless it is what tells two files apart (rte.jsonl beside rte.csv).
    List<String> stripped = new ArrayList<>();
    for (int i = 0; i < middles.size(); i++) {
      stripped.add(suffix == 0 ? stem(middles.get(i)) : middles.get(i));
    }
    List<String> chosen = new HashSet<>(stripped).size() == stripped.size() ? stripped : middles;
    for (int i = 0; i < distinct.size(); i++) {
      labels.put(distinct.get(i), chosen.get(i));
    }
    return labels;
  }

  private static String alone(String file) {
    List<String> p = components(file);
    String stem = stem(p.get(p.size() - 1));
    return SPLIT_NAMES.contains(stem.toLowerCase(Locale.ROOT)) && p.size() > 1 ? p.get(p.size() - 2) : stem;
  }

  private static List<String> components(String file) {
    List<String> out = new ArrayList<>();
    Path.of(file).normalize().forEach(c -> out.add(c.toString()));
    return out.isEmpty() ? List.of(file) : out;
  }

  private static boolean sameFromStart(List<List<String>> parts, int index) {
    String first = parts.get(0).get(index);
    return parts.stream().allMatch(p -> p.get(index).equals(first));
  }

  private static boolean sameFromEnd(List<List<String>> parts, int fromEnd) {
    String first = parts.get(0).get(parts.get(0).size() - 1 - fromEnd);
    return parts.stream().allMatch(p -> p.get(p.size() - 1 - fromEnd).equals(first));
  }

  private static String stem(String name) {
    int slash = name.lastIndexOf('/');
    int dot = name.lastIndexOf('.');
    return dot > slash + 1 ? name.substring(0, dot) : name;
  }
}
