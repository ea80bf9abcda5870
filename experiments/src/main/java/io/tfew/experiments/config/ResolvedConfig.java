package io.tfew.experiments.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.representer.Representer;

/**
 * An experiment config after {@code extends:} and {@code --set} were applied, not yet validated: a tree
 * of {@code Map<String, Object>} (YAML order), {@code List<Object>} and scalars ({@link String},
 * {@link Integer}, {@link Long}, {@link Double}, {@link Boolean}, {@code null}), with the origin of every
 * key.
 *
 * <p>Paths are dotted keys with {@code [N]} for list elements: {@code train.lr}, {@code peft[0].r}.
 * The tree is immutable. {@link ConfigSchema} turns it into validated sections.
 *
 * <pre>{@code
 * ResolvedConfig c = new ConfigLoader().load(Path.of("exp.yaml"), List.of("train.lr=1e-3"));
 * c.get("train.lr");      // 0.001
 * c.origin("train.lr");   // --set
 * c.origin("model");      // configs/base.yaml:3
 * Files.writeString(out.resolve("config.resolved.yaml"), c.toYaml());
 * }</pre>
 */
public final class ResolvedConfig {
  private final Map<String, Object> root;
  private final NavigableMap<String, Origin> origins;
  private final List<Path> files;
  private final String source;

  ResolvedConfig(Map<String, Object> root, Map<String, Origin> origins, List<Path> files, String source) {
    this.root = freeze(root);
    this.origins = Collections.unmodifiableNavigableMap(new TreeMap<>(origins));
    this.files = List.copyOf(files);
    this.source = source;
  }

  /** The whole tree; unmodifiable at every level. */
  public Map<String, Object> tree() {
    return root;
  }

  /** The value at {@code dottedPath} ({@code null} when absent or explicitly null); "" is the whole tree. */
  public Object get(String dottedPath) {
    return KeyPath.get(root, KeyPath.parse(dottedPath, "path"));
  }

  /** Whether {@code dottedPath} is present (possibly with a null value). */
  public boolean contains(String dottedPath) {
    List<Object> segments = KeyPath.parse(dottedPath, "path");
    if (segments.isEmpty()) {
      return true;
    }
    Object parent = KeyPath.get(root, segments.subList(0, segments.size() - 1));
    Object last = segments.get(segments.size() - 1);
    if (last instanceof Integer i) {
      return parent instanceof List<?> list && i < list.size();
    }
    return parent instanceof Map<?, ?> map && map.containsKey(last);
  }

  /**
   * The file and line that set {@code dottedPath}, {@link Origin#SET} for {@code --set}, or
   * {@link Origin#DEFAULT} when no file or override mentions it.
   */
  public Origin origin(String dottedPath) {
    return origins.getOrDefault(dottedPath, Origin.DEFAULT);
  }

  /**
   * The start of an error message about {@code dottedPath}: {@code exp.yaml:12: train.lr},
   * {@code --set train.lr}, or, for a key no file mentions, the main file and the key
   * ({@code exp.yaml: data.train.path}).
   */
  public String locate(String dottedPath) {
    Origin o = origin(dottedPath);
    return o.kind() == Origin.Kind.DEFAULT ? source + ": " + dottedPath : o.prefix(dottedPath);
  }

  /** The files read, the named ones last, each after the files it extends; for provenance. */
  public List<Path> files() {
    return files;
  }

  /** The file the user named (the last one when several were), as written; messages use it. */
  public String source() {
    return source;
  }

  /**
   * The resolved tree as block YAML, for {@code OUT/config.resolved.yaml}; loading it gives an equal
   * {@link #tree()} (origins are not kept: it is one file, with no {@code extends:}).
   */
  public String toYaml() {
    DumperOptions options = new DumperOptions();
    options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    options.setIndent(2);
    options.setIndicatorIndent(2);
    options.setIndentWithIndicator(true);
    // Long template names or paths must not be folded: the file is also read by people and diff.
    options.setSplitLines(false);
    options.setDereferenceAliases(true);
    Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()), new Representer(options), options);
    return root.isEmpty() ? "{}\n" : yaml.dump(thaw(root));
  }

  @Override
  public String toString() {
    return source + " " + root;
  }

  @SuppressWarnings("unchecked")
  private static <T> T freeze(T value) {
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> copy = new LinkedHashMap<>();
      map.forEach((k, v) -> copy.put((String) k, freeze(v)));
      return (T) Collections.unmodifiableMap(copy);
    }
    if (value instanceof List<?> list) {
      List<Object> copy = new ArrayList<>(list.size());
      list.forEach(v -> copy.add(freeze(v)));
      return (T) Collections.unmodifiableList(copy);
    }
    return value;
  }

  // The representer would tag unmodifiable wrappers with their class name; plain collections dump plain.
  private static Object thaw(Object value) {
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> copy = new LinkedHashMap<>();
      map.forEach((k, v) -> copy.put((String) k, thaw(v)));
      return copy;
    }
    if (value instanceof List<?> list) {
      List<Object> copy = new ArrayList<>(list.size());
      list.forEach(v -> copy.add(thaw(v)));
      return copy;
    }
    return value;
  }
}
