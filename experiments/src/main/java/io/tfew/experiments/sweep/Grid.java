package io.tfew.experiments.sweep;

import io.tfew.api.config.ConfigException;
import io.tfew.experiments.config.ConfigLoader;
import io.tfew.experiments.config.Origin;
import io.tfew.experiments.config.ResolvedConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A sweep grid file: a base recipe (an ordinary {@code tfew train} YAML file) and axes whose product
 * is the set of runs.
 *
 * <pre>{@code
 * base: ../tiny/ia3-rank.yaml        # relative to this file
 * out: runs/my-grid                  # default: runs/<grid file name>
 * set: {train.steps: 100}            # every cell
 * axes:                              # first axis outermost: runs/my-grid/<dataset>/<method>/seed<k>/
 *   dataset:                         # a map axis: label -> the keys it sets
 *     rte: {data.train.path: rte/32_shot/${seed}_seed.jsonl, data.eval.path: rte/test.jsonl}
 *   method:
 *     ia3: {peft: [{method: ia3}]}
 *     zero_shot: {peft: [], train.steps: 0}
 *   seed: [0, 1, 32]                 # a list axis: the axis name is the key it sets; label seed0, ...
 * }</pre>
 *
 * <p>Keys are key paths, as {@code tfew train --set} takes them; a map value merges into the recipe's
 * map key by key, lists and scalars replace. Relative paths resolve against the grid file. In string
 * values, {@code ${axis}} is that axis's value in the cell (a list axis's value, a map axis's label).
 * A map axis's entry may also hold {@code vars:}, text for placeholders that sets no key itself:
 * with {@code rte: {vars: {labels: '4273 150'}, ...}}, another axis's
 * {@code class_labels: {peft[0].init_token_ids: ['${labels}']}} takes RTE's ids in RTE's cells.
 */
public final class Grid {
  static final Set<String> KEYS = Set.of("base", "out", "set", "axes");
  private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]*");
  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^}]*)}");

  /** The key of a map axis's entry that holds placeholder text instead of config keys. */
  static final String VARS = "vars";

  /** One value of an axis: the directory label, the config values it sets and its placeholder text. */
  record Value(String label, String text, List<ConfigLoader.Placement> placements, Map<String, String> vars) {}

  /** An axis: its name and values, in file order. */
  record Axis(String name, List<Value> values) {}

  private final Path file;
  private final Path base;
  private final String out;
  private final List<ConfigLoader.Placement> fixed;
  private final List<Axis> axes;

  private Grid(Path file, Path base, String out, List<ConfigLoader.Placement> fixed, List<Axis> axes) {
    this.file = file;
    this.base = base;
    this.out = out;
    this.fixed = fixed;
    this.axes = axes;
  }

  /** Reads and checks a grid file; errors name the file, the line and the key. */
  public static Grid load(Path file) {
    ResolvedConfig g = ConfigLoader.withKeyPathKeys().load(file, List.of());
    Map<String, Object> tree = g.tree();
    String display = file.toString();
    for (String key : tree.keySet()) {
      if (!KEYS.contains(key)) {
        throw new ConfigException(g.locate(key) + ": unknown key in a sweep grid; allowed keys are "
            + String.join(", ", new TreeSet<>(KEYS)));
      }
    }
    if (!(tree.get("base") instanceof String baseName) || baseName.isBlank()) {
      throw new ConfigException((tree.containsKey("base") ? g.locate("base") : display + ": base")
          + ": required: the recipe every cell starts from, an ordinary tfew train YAML file, e.g. "
          + "base: ../tiny/ia3-rank.yaml (relative to the grid file)");
    }
    // Relative to the file that names it, which may be a file the grid extends.
    Origin baseOrigin = g.origin("base");
    Path dir = (baseOrigin.kind() == Origin.Kind.FILE ? Path.of(baseOrigin.file()) : file).toAbsolutePath().getParent();
    Path base = dir.resolve(baseName).normalize();
    if (!java.nio.file.Files.isRegularFile(base)) {
      throw new ConfigException(g.locate("base") + ": no such file '" + baseName + "' (looked for " + base
          + "); the path is relative to the grid file that names it");
    }
    Object outValue = tree.get("out");
    if (outValue != null && !(outValue instanceof String)) {
      throw new ConfigException(g.locate("out") + ": expected a directory path");
    }
    String out = outValue == null || ((String) outValue).isBlank()
        ? "runs/" + file.getFileName().toString().replaceFirst("\\.(ya?ml)$", "") : (String) outValue;
    List<ConfigLoader.Placement> fixed = placements(g, "set", tree.get("set"));
    Object axesValue = tree.get("axes");
    if (!(axesValue instanceof Map<?, ?> axesMap) || axesMap.isEmpty()) {
      throw new ConfigException((tree.containsKey("axes") ? g.locate("axes") : display + ": axes")
          + ": required: a map of axis name to its values, e.g. axes: {seed: [0, 1, 32]}");
    }
    List<Axis> axes = new ArrayList<>();
    for (Map.Entry<?, ?> e : axesMap.entrySet()) {
      axes.add(axis(g, (String) e.getKey(), e.getValue()));
    }
    return new Grid(file, base, out, fixed, axes);
  }

  private static Axis axis(ResolvedConfig g, String name, Object value) {
    String path = "axes." + name;
    List<Value> values = new ArrayList<>();
    if (value instanceof List<?> list) {
      // A list axis sets the key it is named after; its label is the key's last part and the value.
      String lastKey = name.replaceAll("\\[\\d+]", "");
      lastKey = lastKey.substring(lastKey.lastIndexOf('.') + 1);
      for (int i = 0; i < list.size(); i++) {
        Object v = list.get(i);
        String where = g.locate(path + "[" + i + "]");
        if (v == null || v instanceof Map || v instanceof List) {
          throw new ConfigException(where + ": a list axis holds plain values (numbers, words); to set "
              + "maps or lists, write the axis as a map of label to keys, e.g. " + name + ": {a: {...}}");
        }
        String text = String.valueOf(v);
        String label = lastKey + text;
        if (!LABEL.matcher(label).matches()) {
          throw new ConfigException(where + ": '" + text + "' cannot be part of a directory name; write the "
              + "axis as a map of label to keys, e.g. " + name + ": {short_label: {" + name + ": ...}}");
        }
        Origin o = g.origin(path + "[" + i + "]");
        values.add(new Value(label, text, List.of(new ConfigLoader.Placement(name, v, o)), Map.of()));
      }
    } else if (value instanceof Map<?, ?> map) {
      for (Map.Entry<?, ?> e : map.entrySet()) {
        String label = (String) e.getKey();
        String at = path + "." + label;
        if (!LABEL.matcher(label).matches()) {
          throw new ConfigException(g.locate(at) + ": the label '" + label + "' names a directory; use letters, "
              + "digits, '.', '_', '+' and '-' only");
        }
        Object entry = e.getValue();
        Map<String, String> vars = new LinkedHashMap<>();
        if (entry instanceof Map<?, ?> m && m.containsKey(VARS)) {
          if (!(m.get(VARS) instanceof Map<?, ?> given)) {
            throw new ConfigException(g.locate(at + "." + VARS) + ": expected a map of name to text, e.g. "
                + "vars: {labels: '150 151'}");
          }
          for (Map.Entry<?, ?> var : given.entrySet()) {
            if (var.getValue() instanceof Map || var.getValue() instanceof List || var.getValue() == null) {
              throw new ConfigException(g.locate(at + "." + VARS + "." + var.getKey()) + ": a var is plain text");
            }
            vars.put((String) var.getKey(), String.valueOf(var.getValue()));
          }
          Map<Object, Object> rest = new LinkedHashMap<>(m);
          rest.remove(VARS);
          entry = rest;
        }
        values.add(new Value(label, label, placements(g, at, entry), vars));
      }
    } else {
      throw new ConfigException(g.locate(path) + ": expected a list of values (e.g. seed: [0, 1]) or a map of "
          + "label to the keys it sets (e.g. method: {ia3: {peft: [{method: ia3}]}}), but found "
          + (value == null ? "nothing" : value.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT)));
    }
    if (values.isEmpty()) {
      throw new ConfigException(g.locate(path) + ": the axis '" + name + "' has no values; give at least one, "
          + "or remove the axis");
    }
    Set<String> seen = new java.util.HashSet<>();
    for (Value v : values) {
      if (!seen.add(v.label())) {
        throw new ConfigException(g.locate(path) + ": the axis '" + name + "' has the value '" + v.label()
            + "' twice");
      }
    }
    return new Axis(name, values);
  }

  /** A map of key path to value at {@code at} as placements with their lines; null or {} is none. */
  private static List<ConfigLoader.Placement> placements(ResolvedConfig g, String at, Object value) {
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof Map<?, ?> map)) {
      throw new ConfigException(g.locate(at) + ": expected a map of config key to value, e.g. "
          + "{train.lr: 0.003, peft: [{method: lora}]}");
    }
    List<ConfigLoader.Placement> out = new ArrayList<>();
    for (Map.Entry<?, ?> e : map.entrySet()) {
      String key = (String) e.getKey();
      out.add(new ConfigLoader.Placement(key, e.getValue(), g.origin(at + "." + key)));
    }
    return out;
  }

  /** The grid file. */
  public Path file() {
    return file;
  }

  /** The recipe every cell starts from. */
  public Path base() {
    return base;
  }

  /** The output directory the grid names (relative to the working directory), or runs/<grid name>. */
  public String out() {
    return out;
  }

  /** The axis names, outermost first. */
  public List<String> axisNames() {
    return axes.stream().map(Axis::name).toList();
  }

  /** The {@code vars:} of the axis values {@code cell} picks, the outer axis first where two name one var. */
  public Map<String, String> vars(GridCell cell) {
    Map<String, String> vars = new LinkedHashMap<>();
    for (Axis axis : axes) {
      String label = cell.axes().get(axis.name());
      axis.values().stream().filter(v -> v.label().equals(label)).findFirst()
          .ifPresent(v -> v.vars().forEach(vars::putIfAbsent));
    }
    return vars;
  }

  /**
   * Every cell, first axis outermost, under {@code out}. The grid's {@code set} comes first, then each
   * axis's values in axis order, so a later axis wins where two set the same key; the cell's {@code name}
   * is its cell name unless the grid sets {@code name} itself.
   */
  public List<GridCell> cells(Path out) {
    List<GridCell> cells = new ArrayList<>();
    int[] pick = new int[axes.size()];
    while (true) {
      Map<String, String> labels = new LinkedHashMap<>();
      Map<String, String> values = new LinkedHashMap<>();
      List<String> parts = new ArrayList<>();
      for (int a = 0; a < axes.size(); a++) {
        Value v = axes.get(a).values().get(pick[a]);
        labels.put(axes.get(a).name(), v.label());
        values.put(axes.get(a).name(), v.text());
        parts.add(v.label());
      }
      for (int a = 0; a < axes.size(); a++) {
        axes.get(a).values().get(pick[a]).vars().forEach(values::putIfAbsent);
      }
      String name = String.join("/", parts);
      List<ConfigLoader.Placement> placements = new ArrayList<>();
      Origin gridOrigin = Origin.at(file.toString(), 1);
      placements.add(new ConfigLoader.Placement("name", name, gridOrigin));
      fixed.forEach(p -> placements.add(substitute(p, values)));
      for (int a = 0; a < axes.size(); a++) {
        axes.get(a).values().get(pick[a]).placements().forEach(p -> placements.add(substitute(p, values)));
      }
      Path dir = out;
      for (String part : parts) {
        dir = dir.resolve(part);
      }
      cells.add(new GridCell(cells.size(), name, dir, labels, placements));
      int a = axes.size() - 1;
      while (a >= 0 && ++pick[a] == axes.get(a).values().size()) {
        pick[a] = 0;
        a--;
      }
      if (a < 0) {
        return cells;
      }
    }
  }

  private ConfigLoader.Placement substitute(ConfigLoader.Placement p, Map<String, String> values) {
    return new ConfigLoader.Placement(p.key(), substitute(p.value(), values, p), p.origin());
  }

  private Object substitute(Object value, Map<String, String> values, ConfigLoader.Placement p) {
    if (value instanceof String s) {
      Matcher m = PLACEHOLDER.matcher(s);
      StringBuilder sb = new StringBuilder();
      while (m.find()) {
        String v = values.get(m.group(1));
        if (v == null) {
          throw new ConfigException(p.origin().prefix(p.key()) + ": ${" + m.group(1) + "} names no axis or var; "
              + "there are " + String.join(", ", values.keySet()));
        }
        m.appendReplacement(sb, Matcher.quoteReplacement(v));
      }
      m.appendTail(sb);
      return sb.toString();
    }
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> copy = new LinkedHashMap<>();
      map.forEach((k, v) -> copy.put((String) k, substitute(v, values, p)));
      return copy;
    }
    if (value instanceof List<?> list) {
      return list.stream().map(v -> substitute(v, values, p)).toList();
    }
    return value;
  }
}
