package io.tfew.experiments.config;

import io.tfew.api.PluginProvider;
import io.tfew.api.config.ConfigException;
import io.tfew.api.config.ConfigField;
import io.tfew.api.config.ConfigSection;
import io.tfew.api.config.ConfigType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;

/**
 * The declared shape of an experiment config, and its validation.
 *
 * <p>The caller registers what may appear where:
 * <ul>
 *   <li>{@link Builder#section fixed sections}: a path ({@code ""} is the top level) and its
 *       {@link ConfigField}s;
 *   <li>{@link Builder#choices choices}: the allowed values of a string (or string list) key;
 *   <li>{@link Builder#pluginList plugin lists}: a list of maps that each name a plugin with a selector key
 *       ({@code peft: [{method: ia3, ...}]}; a single map is a list of one); the other keys of each map are
 *       validated against that plugin's {@link PluginProvider#configFields()};
 *   <li>{@link Builder#weightMap weight maps}: plugin name to weight ({@code losses: {lm: 1.0}}); a value may
 *       also be a map with {@code weight} and the plugin's own keys, and null switches the plugin off;
 *   <li>{@link Builder#nameList name lists}: plugin names ({@code eval.metrics: [accuracy]}).
 * </ul>
 * Maps on the way to a registered path exist implicitly ({@code data} for {@code data.train}).
 *
 * <p>{@link #validate} rejects unknown keys anywhere (listing the allowed ones), values of the wrong type
 * (naming the type), values outside their choices (listing them), plugin names that are not installed
 * (listing the installed ones) and missing required keys. Every problem is reported, one per line, and each
 * line starts with where to fix it: {@code exp.yaml:12: train.lr}, {@code --set train.lr}, or, for a
 * missing key, the file the user named: {@code exp.yaml: data.train.path}.
 *
 * <pre>{@code
 * ConfigSchema schema = ConfigSchema.builder()
 *     .section("", List.of(ConfigField.ofString("model", null, "checkpoint directory or HF repo id")))
 *     .section("train", List.of(ConfigField.ofString("optimizer", "adafactor", "the optimizer")))
 *     .choices("train.optimizer", List.of("adafactor", "adamw"))
 *     .pluginList("peft", "method", registry.methods(), "PEFT method")
 *     .weightMap("losses", registry.losses(), "loss", Map.of("lm", 1.0))
 *     .nameList("eval.metrics", registry.evaluators(), "evaluator", List.of("accuracy"))
 *     .build();
 * ValidatedConfig v = schema.validate(resolved);
 * }</pre>
 */
public final class ConfigSchema {
  /** The key holding a weight when a weight-map entry is written as a map. */
  public static final String WEIGHT = "weight";

  /** One validated entry of a plugin list: the plugin's canonical name and its section. */
  public record PluginEntry(String name, ConfigSection config) {
    public PluginEntry {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(config, "config");
    }
  }

  record PluginList(String selector, Map<String, ? extends PluginProvider> installed, String kind) {}

  record WeightMap(Map<String, ? extends PluginProvider> installed, String kind, Map<String, Double> defaults) {}

  record NameList(Map<String, ? extends PluginProvider> installed, String kind, List<String> defaults) {}

  private final Map<String, List<ConfigField>> sections;
  private final Map<String, List<String>> choices;
  private final Map<String, PluginList> pluginLists;
  private final Map<String, WeightMap> weightMaps;
  private final Map<String, NameList> nameLists;
  /** Every path that must hold a map, parents before children, with the keys allowed in it. */
  private final Map<String, Set<String>> maps;

  private ConfigSchema(Builder b) {
    sections = Collections.unmodifiableMap(new LinkedHashMap<>(b.sections));
    choices = Collections.unmodifiableMap(new LinkedHashMap<>(b.choices));
    pluginLists = new LinkedHashMap<>(b.pluginLists);
    weightMaps = new LinkedHashMap<>(b.weightMaps);
    nameLists = new LinkedHashMap<>(b.nameLists);

    List<String> registered = new ArrayList<>(sections.keySet());
    registered.addAll(pluginLists.keySet());
    registered.addAll(weightMaps.keySet());
    registered.addAll(nameLists.keySet());
    Set<String> plugins = new HashSet<>(pluginLists.keySet());
    plugins.addAll(weightMaps.keySet());
    plugins.addAll(nameLists.keySet());

    Map<String, Set<String>> allowed = new LinkedHashMap<>();
    allowed.put("", new TreeSet<>());
    for (String path : registered) {
      // Every ancestor of a registered path is a map holding the next segment.
      String at = "";
      for (String seg : path.isEmpty() ? new String[0] : path.split("\\.")) {
        allowed.computeIfAbsent(at, k -> new TreeSet<>()).add(seg);
        at = KeyPath.child(at, seg);
      }
      if (!plugins.contains(path)) {
        allowed.computeIfAbsent(path, k -> new TreeSet<>());
      }
    }
    for (Map.Entry<String, List<ConfigField>> e : sections.entrySet()) {
      for (ConfigField f : e.getValue()) {
        String p = KeyPath.child(e.getKey(), f.key());
        if (allowed.containsKey(p) || plugins.contains(p)) {
          throw new IllegalArgumentException(p + " is declared both as a field and as a section");
        }
        allowed.get(e.getKey()).add(f.key());
      }
    }
    for (String p : plugins) {
      if (allowed.containsKey(p)) {
        throw new IllegalArgumentException(p + " is declared both as a plugin entry and as a section");
      }
    }
    for (String key : choices.keySet()) {
      int dot = key.lastIndexOf('.');
      String section = dot < 0 ? "" : key.substring(0, dot);
      String field = key.substring(dot + 1);
      boolean stringField = sections.getOrDefault(section, List.of()).stream().anyMatch(f -> f.key().equals(field)
          && (f.type() == ConfigType.STRING || f.type() == ConfigType.STRING_LIST));
      if (!stringField) {
        throw new IllegalArgumentException("choices for " + key + ", which is no declared string field");
      }
    }
    // Depth first in registration order: parents before children, and problems reported in the order
    // the sections are usually written (data, data.train, ..., train, eval).
    maps = new LinkedHashMap<>();
    visit("", allowed);
  }

  private void visit(String path, Map<String, Set<String>> allowed) {
    maps.put(path, Collections.unmodifiableSet(allowed.get(path)));
    for (String p : allowed.keySet()) {
      int dot = p.lastIndexOf('.');
      String parent = p.isEmpty() ? null : dot < 0 ? "" : p.substring(0, dot);
      if (path.equals(parent)) {
        visit(p, allowed);
      }
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The fixed sections by path, in registration order; for {@code tfew config --help}-style listings. */
  public Map<String, List<ConfigField>> sections() {
    return sections;
  }

  /** The allowed values of {@code dottedKey}; empty when any value of its type is allowed. */
  public List<String> choices(String dottedKey) {
    return choices.getOrDefault(dottedKey, List.of());
  }

  /** Registers sections, choices and plugin entries; {@link #build} checks they do not overlap. */
  public static final class Builder {
    private final Map<String, List<ConfigField>> sections = new LinkedHashMap<>();
    private final Map<String, List<String>> choices = new LinkedHashMap<>();
    private final Map<String, PluginList> pluginLists = new LinkedHashMap<>();
    private final Map<String, WeightMap> weightMaps = new LinkedHashMap<>();
    private final Map<String, NameList> nameLists = new LinkedHashMap<>();
    private final Set<String> used = new HashSet<>();

    private Builder() {}

    private void claim(String path, boolean topAllowed) {
      if (!topAllowed && path.isEmpty()) {
        throw new IllegalArgumentException("a plugin entry needs a key path");
      }
      if (!path.isEmpty()) {
        List<Object> segments = KeyPath.parse(path, "schema path");
        if (segments.stream().anyMatch(s -> s instanceof Integer)) {
          throw new IllegalArgumentException("schema paths are keys only: " + path);
        }
      }
      if (!used.add(path)) {
        throw new IllegalArgumentException(path + " is registered twice");
      }
    }

    /** A map at {@code path} ({@code ""}: the top level) holding {@code fields}. */
    public Builder section(String path, List<ConfigField> fields) {
      claim(path, true);
      Set<String> keys = new HashSet<>();
      for (ConfigField f : fields) {
        if (!keys.add(f.key())) {
          throw new IllegalArgumentException(KeyPath.child(path, f.key()) + " is declared twice");
        }
      }
      sections.put(path, List.copyOf(fields));
      return this;
    }

    /** The allowed values of the string (or string list) field {@code dottedKey}, in the order to list them. */
    public Builder choices(String dottedKey, List<String> allowed) {
      if (allowed.isEmpty()) {
        throw new IllegalArgumentException("no choices for " + dottedKey);
      }
      choices.put(dottedKey, List.copyOf(allowed));
      return this;
    }

    /**
     * A list of plugin sections at {@code path}, each a map naming its plugin with {@code selector}; absent
     * means an empty list.
     *
     * @param kind the plugin kind for messages, e.g. {@code "PEFT method"}
     */
    public Builder pluginList(String path, String selector, Map<String, ? extends PluginProvider> installed,
        String kind) {
      claim(path, false);
      pluginLists.put(path, new PluginList(selector, installed, kind));
      return this;
    }

    /** A map of plugin name to weight at {@code path}; {@code defaults} apply when the key is absent or null. */
    public Builder weightMap(String path, Map<String, ? extends PluginProvider> installed, String kind,
        Map<String, Double> defaults) {
      claim(path, false);
      weightMaps.put(path, new WeightMap(installed, kind, Collections.unmodifiableMap(new LinkedHashMap<>(defaults))));
      return this;
    }

    /** A list of plugin names at {@code path} (a single name is a list of one); {@code defaults} when absent. */
    public Builder nameList(String path, Map<String, ? extends PluginProvider> installed, String kind,
        List<String> defaults) {
      claim(path, false);
      nameLists.put(path, new NameList(installed, kind, List.copyOf(defaults)));
      return this;
    }

    /** @throws IllegalArgumentException where registrations overlap or choices name no string field */
    public ConfigSchema build() {
      return new ConfigSchema(this);
    }
  }

  /**
   * Validates {@code config} against the registered shape.
   *
   * @throws ConfigException listing every problem, one per line, each starting with its location
   */
  public ValidatedConfig validate(ResolvedConfig config) {
    return new Run(config).validate();
  }

  /** One validation: collects every problem instead of stopping at the first, so one edit fixes them all. */
  private final class Run {
    final ResolvedConfig config;
    final List<String> errors = new ArrayList<>();
    final Set<String> broken = new HashSet<>();
    final Map<String, ConfigSection> sectionsOut = new LinkedHashMap<>();
    final Map<String, List<PluginEntry>> pluginsOut = new LinkedHashMap<>();
    final Map<String, Map<String, Double>> weightsOut = new LinkedHashMap<>();
    final Map<String, Map<String, ConfigSection>> weightConfigsOut = new LinkedHashMap<>();
    final Map<String, List<String>> namesOut = new LinkedHashMap<>();

    Run(ResolvedConfig config) {
      this.config = config;
    }

    ValidatedConfig validate() {
      for (Map.Entry<String, Set<String>> e : maps.entrySet()) {
        checkMap(e.getKey(), e.getValue());
      }
      pluginLists.forEach(this::pluginList);
      weightMaps.forEach(this::weightMap);
      nameLists.forEach(this::nameList);
      if (!errors.isEmpty()) {
        throw new ConfigException(String.join("\n", errors));
      }
      return new ValidatedConfig(config, sectionsOut, pluginsOut, weightsOut, weightConfigsOut, namesOut);
    }

    /** Under a value that is not the map it should be, every message would repeat the same problem. */
    boolean underBroken(String path) {
      String at = path;
      while (true) {
        if (broken.contains(at)) {
          return true;
        }
        if (at.isEmpty()) {
          return false;
        }
        int dot = at.lastIndexOf('.');
        at = dot < 0 ? "" : at.substring(0, dot);
      }
    }

    /** For a key no file mentions: the file the user named, then the key. */
    String missing(String key) {
      return config.source() + ": " + key;
    }

    String installedList(Map<String, ? extends PluginProvider> installed) {
      return installed.isEmpty() ? "(none; add the plugin's jar to the class path)"
          : String.join(", ", installed.keySet());
    }

    void checkMap(String path, Set<String> allowed) {
      if (underBroken(path)) {
        return;
      }
      Object raw = path.isEmpty() ? config.tree() : config.get(path);
      if (raw != null && !(raw instanceof Map)) {
        errors.add(config.locate(path) + ": expected a map with the keys " + String.join(", ", allowed)
            + " but found " + KeyPath.describe(raw));
        broken.add(path);
        return;
      }
      Map<?, ?> map = raw == null ? Map.of() : (Map<?, ?>) raw;
      unknownKeys(path, map, allowed);
      List<ConfigField> fields = sections.get(path);
      if (fields != null) {
        // Fixed sections are merged across files, so no one line holds them all: name the file only.
        String sectionPath = path.isEmpty() ? config.source() : config.source() + ": " + path;
        ConfigSection s = fields(path, map, fields, this::missing, sectionPath);
        if (s != null) {
          sectionsOut.put(path, s);
        }
      }
    }

    void unknownKeys(String path, Map<?, ?> map, Set<String> allowed) {
      for (Object key : map.keySet()) {
        if (!allowed.contains(key)) {
          errors.add(config.locate(KeyPath.child(path, (String) key)) + ": unknown key; allowed keys are "
              + (allowed.isEmpty() ? "(none)" : String.join(", ", new TreeSet<>(allowed))));
        }
      }
    }

    /**
     * Checks {@code fields} in {@code map} (at {@code path}) and builds their section; null after errors.
     * Type errors are found here, with the key's own location, before {@link ConfigSection#validate}
     * could report them without one.
     */
    ConfigSection fields(String path, Map<?, ?> map, List<ConfigField> fields, UnaryOperator<String> missingAt,
        String sectionPath) {
      boolean ok = true;
      Map<String, Object> given = new LinkedHashMap<>();
      for (ConfigField f : fields) {
        String key = KeyPath.child(path, f.key());
        Object value = map.get(f.key());
        if (value == null) {
          if (f.required()) {
            errors.add(missingAt.apply(key) + ": required key is missing; add it: " + f.doc() + " ("
                + f.type().description() + ")");
            ok = false;
          }
          continue;
        }
        Object typed;
        try {
          typed = f.type().coerce(value, config.locate(key));
        } catch (ConfigException e) {
          boolean quotable = f.type() != ConfigType.BOOLEAN && !(value instanceof Map) && !(value instanceof List)
              && !(value instanceof String);
          errors.add(e.getMessage() + (f.type() == ConfigType.STRING && quotable
              ? "; put it in quotes if you mean the text" : ""));
          ok = false;
          continue;
        }
        List<String> allowed = choices.get(key);
        if (allowed != null) {
          List<?> values = typed instanceof List<?> l ? l : List.of(typed);
          for (Object v : values) {
            if (!allowed.contains(v)) {
              errors.add(config.locate(key) + ": '" + v + "' is not allowed; allowed values are "
                  + String.join(", ", allowed));
              ok = false;
            }
          }
        }
        given.put(f.key(), f.type() == ConfigType.PATH ? besideConfigFile(key, (String) typed) : value);
      }
      if (!ok) {
        return null;
      }
      try {
        return ConfigSection.validate(sectionPath, fields, given);
      } catch (ConfigException e) {
        // Not expected after the checks above; keep the message, located.
        errors.add(config.locate(path) + ": " + e.getMessage());
        return null;
      }
    }

    /** {@code value} resolved against the directory of the file that set {@code key}, if it exists there. */
    String besideConfigFile(String key, String value) {
      Origin o = config.origin(key);
      if (o.kind() != Origin.Kind.FILE || o.file() == null) {
        return value;
      }
      try {
        java.nio.file.Path p = java.nio.file.Path.of(value);
        java.nio.file.Path parent = java.nio.file.Path.of(o.file()).toAbsolutePath().getParent();
        if (p.isAbsolute() || parent == null || !java.nio.file.Files.exists(parent.resolve(p))) {
          return value;
        }
        return parent.resolve(p).normalize().toString();
      } catch (java.nio.file.InvalidPathException e) {
        return value;
      }
    }

    /** Where a key inside an entry that came as a whole (a list element) is: the entry's file and line. */
    UnaryOperator<String> inEntry(String entryPath) {
      Origin o = config.origin(entryPath);
      return key -> o.kind() == Origin.Kind.DEFAULT ? missing(key) : o.prefix(key);
    }

    void pluginList(String path, PluginList spec) {
      List<PluginEntry> out = new ArrayList<>();
      pluginsOut.put(path, out);
      if (underBroken(path)) {
        return;
      }
      Object raw = config.get(path);
      Map<String, Object> entries = new LinkedHashMap<>();
      if (raw instanceof Map) {
        entries.put(path, raw);
      } else if (raw instanceof List<?> list) {
        for (int i = 0; i < list.size(); i++) {
          entries.put(KeyPath.element(path, i), list.get(i));
        }
      } else if (raw != null) {
        errors.add(config.locate(path) + ": expected a list of maps, each with '" + spec.selector()
            + ": <name>', but found " + KeyPath.describe(raw) + "; installed " + spec.kind() + "s: "
            + installedList(spec.installed()));
        return;
      }
      for (Map.Entry<String, Object> e : entries.entrySet()) {
        String ep = e.getKey();
        String sp = KeyPath.child(ep, spec.selector());
        if (!(e.getValue() instanceof Map<?, ?> map)) {
          errors.add(config.locate(ep) + ": expected a map with '" + spec.selector() + ": <name>' but found "
              + KeyPath.describe(e.getValue()) + "; installed " + spec.kind() + "s: " + installedList(spec.installed()));
          continue;
        }
        Object name = map.get(spec.selector());
        if (name == null) {
          errors.add(inEntry(ep).apply(sp) + ": required key is missing; set it to one of the installed "
              + spec.kind() + "s: " + installedList(spec.installed()));
          continue;
        }
        PluginProvider provider = lookup(sp, name, spec.installed(), spec.kind());
        if (provider == null) {
          continue;
        }
        List<ConfigField> fields = provider.configFields();
        Set<String> allowed = new TreeSet<>();
        allowed.add(spec.selector());
        fields.forEach(f -> allowed.add(f.key()));
        unknownKeys(ep, map, allowed);
        Map<Object, Object> rest = new LinkedHashMap<>(map);
        rest.remove(spec.selector());
        ConfigSection s = fields(ep, rest, fields, inEntry(ep), config.locate(ep));
        if (s != null) {
          out.add(new PluginEntry(provider.name(), s));
        }
      }
    }

    /** The provider {@code name} at {@code key} names; null (after recording why) when there is none. */
    PluginProvider lookup(String key, Object name, Map<String, ? extends PluginProvider> installed, String kind) {
      if (!(name instanceof String s)) {
        errors.add(config.locate(key) + ": expected " + kind + " name (a string) but found "
            + KeyPath.describe(name) + "; installed: " + installedList(installed));
        return null;
      }
      PluginProvider p = installed.get(s.toLowerCase(Locale.ROOT));
      if (p == null) {
        errors.add(config.locate(key) + ": no " + kind + " named '" + s + "' is installed; installed: "
            + installedList(installed));
      }
      return p;
    }

    void weightMap(String path, WeightMap spec) {
      Map<String, Double> weights = new LinkedHashMap<>();
      Map<String, ConfigSection> configs = new LinkedHashMap<>();
      weightsOut.put(path, Collections.unmodifiableMap(weights));
      weightConfigsOut.put(path, Collections.unmodifiableMap(configs));
      if (underBroken(path)) {
        return;
      }
      Object raw = config.get(path);
      if (raw == null) {
        for (Map.Entry<String, Double> d : spec.defaults().entrySet()) {
          String key = KeyPath.child(path, d.getKey());
          PluginProvider p = spec.installed().get(d.getKey());
          if (p == null) {
            errors.add(missing(path) + ": the default " + spec.kind() + " '" + d.getKey() + "' is not installed "
                + "(installed: " + installedList(spec.installed()) + "); set " + path + " explicitly");
            continue;
          }
          ConfigSection s = fields(key, Map.of(), p.configFields(), this::missing, missing(key));
          if (s != null) {
            weights.put(p.name(), d.getValue());
            configs.put(p.name(), s);
          }
        }
        return;
      }
      if (!(raw instanceof Map<?, ?> map)) {
        errors.add(config.locate(path) + ": expected a map of " + spec.kind() + " name to weight, e.g. {"
            + String.join(": 1.0, ", spec.installed().keySet()) + (spec.installed().isEmpty() ? "" : ": 1.0")
            + "}, but found " + KeyPath.describe(raw));
        return;
      }
      for (Map.Entry<?, ?> e : map.entrySet()) {
        String key = KeyPath.child(path, (String) e.getKey());
        PluginProvider p = lookup(key, e.getKey(), spec.installed(), spec.kind());
        Object value = e.getValue();
        if (p == null || value == null) {
          // null switches off a plugin a parent file turned on.
          continue;
        }
        if (weights.containsKey(p.name())) {
          errors.add(config.locate(key) + ": " + spec.kind() + " '" + p.name() + "' is listed twice");
          continue;
        }
        String weightKey = key;
        Object weight;
        ConfigSection s;
        if (value instanceof Number) {
          weight = value;
          s = fields(key, Map.of(), p.configFields(), inEntry(key), config.locate(key));
        } else if (value instanceof Map<?, ?> m) {
          Set<String> allowed = new TreeSet<>();
          allowed.add(WEIGHT);
          p.configFields().forEach(f -> allowed.add(f.key()));
          unknownKeys(key, m, allowed);
          weightKey = KeyPath.child(key, WEIGHT);
          weight = m.containsKey(WEIGHT) ? m.get(WEIGHT) : 1.0;
          Map<Object, Object> rest = new LinkedHashMap<>(m);
          rest.remove(WEIGHT);
          s = fields(key, rest, p.configFields(), inEntry(key), config.locate(key));
        } else {
          errors.add(config.locate(key) + ": expected a weight (a number), or a map with " + WEIGHT
              + " and the " + spec.kind() + "'s keys, but found " + KeyPath.describe(value));
          continue;
        }
        if (!(weight instanceof Number n) || !Double.isFinite(n.doubleValue()) || n.doubleValue() < 0) {
          errors.add(config.locate(weightKey) + ": the weight must be a number >= 0 but found "
              + KeyPath.describe(weight) + "; write null to switch the " + spec.kind() + " off");
          continue;
        }
        if (s != null) {
          weights.put(p.name(), n.doubleValue());
          configs.put(p.name(), s);
        }
      }
    }

    void nameList(String path, NameList spec) {
      List<String> names = new ArrayList<>();
      namesOut.put(path, Collections.unmodifiableList(names));
      if (underBroken(path)) {
        return;
      }
      Object raw = config.get(path);
      if (raw == null) {
        for (String d : spec.defaults()) {
          PluginProvider p = spec.installed().get(d);
          if (p == null) {
            errors.add(missing(path) + ": the default " + spec.kind() + " '" + d + "' is not installed (installed: "
                + installedList(spec.installed()) + "); set " + path + " explicitly");
          } else {
            names.add(p.name());
          }
        }
        return;
      }
      Map<String, Object> items = new LinkedHashMap<>();
      if (raw instanceof List<?> list) {
        for (int i = 0; i < list.size(); i++) {
          items.put(KeyPath.element(path, i), list.get(i));
        }
      } else if (raw instanceof String) {
        items.put(path, raw);
      } else {
        errors.add(config.locate(path) + ": expected a list of " + spec.kind() + " names but found "
            + KeyPath.describe(raw) + "; installed: " + installedList(spec.installed()));
        return;
      }
      Set<String> seen = new LinkedHashSet<>();
      for (Map.Entry<String, Object> e : items.entrySet()) {
        PluginProvider p = lookup(e.getKey(), e.getValue(), spec.installed(), spec.kind());
        if (p == null) {
          continue;
        }
        if (!seen.add(p.name())) {
          errors.add(config.locate(e.getKey()) + ": " + spec.kind() + " '" + p.name() + "' is listed twice");
          continue;
        }
        names.add(p.name());
      }
    }
  }
}
