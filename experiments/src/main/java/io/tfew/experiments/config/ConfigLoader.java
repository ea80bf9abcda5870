package io.tfew.experiments.config;

import io.tfew.api.config.ConfigException;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.representer.Representer;

/**
 * Reads experiment YAML files into a {@link ResolvedConfig}: {@code extends:} composition, then
 * {@code --set} overrides, with the file and line of every key.
 *
 * <p><b>Safety.</b> Files are composed into SnakeYAML nodes and never constructed as Java objects:
 * only plain maps, lists, strings, numbers, booleans and nulls come out, and any tag other than the
 * YAML core ones ({@code !!python/object}, {@code !!java.io.File}, {@code !local}, {@code !!binary},
 * {@code !!set}, ...) is an error naming the key. Duplicate keys, merge keys ({@code <<}), more than
 * {@value #MAX_ALIASES} aliases of maps and lists, recursive aliases, nesting deeper than
 * {@value #NESTING_DEPTH_LIMIT}, files over {@value #CODE_POINT_LIMIT} code points and trees of more
 * than {@value #MAX_VALUES} values are errors.
 *
 * <p><b>{@code extends:}</b> (a path or a list of paths, relative to the file that names them) loads
 * those files first, in order, then the file itself on top: maps merge key by key, recursively;
 * lists and scalars replace. A file reached again through its own chain is an error naming the chain.
 * This is t-few's {@code -c a.json+b.json+c.json}, written in the files.
 *
 * <p><b>{@code --set a.b.c=value}</b> replaces one value after all files; the value is read as a YAML
 * scalar or sequence ({@code 3e-4}, {@code true}, {@code [a, b]}; empty means null, i.e. the default).
 * Missing maps on the way are created; {@code peft[0].r=8} reaches into a list.
 *
 * <pre>{@code
 * ResolvedConfig config = new ConfigLoader().load(Path.of("configs/rte_ia3.yaml"), List.of("train.steps=10"));
 * }</pre>
 */
public final class ConfigLoader {
  /** Aliases of maps and lists allowed per document; more are an alias bomb. */
  public static final int MAX_ALIASES = 50;
  /** Largest file, in code points (5 Mi). */
  public static final int CODE_POINT_LIMIT = 5 * 1024 * 1024;
  /** Deepest nesting of maps and lists. */
  public static final int NESTING_DEPTH_LIMIT = 50;
  /**
   * Most values one file may expand to. Fifty aliases still double a list 25 times over, so the
   * alias limit alone does not bound the tree that expanding them builds.
   */
  public static final int MAX_VALUES = 100_000;
  /** The key that names the files a config builds on. */
  public static final String EXTENDS = "extends";

  private static final Set<Tag> SCALAR_TAGS = Set.of(Tag.STR, Tag.INT, Tag.FLOAT, Tag.BOOL, Tag.NULL);

  /**
   * A value placed at a key path after the files and before the {@code --set} overrides, attributed to
   * the file and line that gave it, so relative paths in it resolve against that file. A sweep grid
   * places each cell's axis values this way. A map value merges into a map already there, key by key,
   * as a file on top would; anything else replaces.
   *
   * @param key a key path such as {@code train.lr} or {@code peft[0].init}
   */
  public record Placement(String key, Object value, Origin origin) {
    public Placement {
      java.util.Objects.requireNonNull(key, "key");
      java.util.Objects.requireNonNull(origin, "origin");
    }
  }

  private final boolean keyPathKeys;

  public ConfigLoader() {
    this(false);
  }

  private ConfigLoader(boolean keyPathKeys) {
    this.keyPathKeys = keyPathKeys;
  }

  /**
   * A loader whose files may use key paths ({@code train.lr}, {@code peft[0].init}) as map keys, as
   * sweep grids do for the keys their axes set. Experiment configs never do: there a dotted key is a typo.
   */
  public static ConfigLoader withKeyPathKeys() {
    return new ConfigLoader(true);
  }

  /** Loads one file, its {@code extends:} chain and the overrides. */
  public ResolvedConfig load(Path file, List<String> overrides) {
    return load(List.of(file), overrides);
  }

  /** Loads one file and its {@code extends:} chain, then the placements in order, then the overrides. */
  public ResolvedConfig load(Path file, List<Placement> placements, List<String> overrides) {
    if (!Files.isRegularFile(file)) {
      throw new ConfigException(file + ": no such config file");
    }
    List<Path> read = new ArrayList<>();
    Tree acc = loadFile(file, new ArrayList<>(), read);
    for (Placement p : placements) {
      List<Object> segments = KeyPath.parse(p.key(), p.origin().prefix(p.key()));
      if (segments.isEmpty() || segments.get(0) instanceof Integer || segments.get(0).equals(EXTENDS)) {
        throw new ConfigException(p.origin().prefix(p.key()) + ": not a key of an experiment config; "
            + "write a key path such as train.lr or peft[0].init");
      }
      place(acc, segments, p.value(), p.origin());
    }
    for (String override : overrides) {
      applySet(acc, override);
    }
    return new ResolvedConfig(acc.map, acc.origins, read, file.toString());
  }

  /**
   * Loads several files as if each later one extended the ones before it, then applies the overrides
   * in order. Messages about keys no file mentions name the last file.
   */
  public ResolvedConfig load(List<Path> files, List<String> overrides) {
    if (files.isEmpty()) {
      throw new IllegalArgumentException("no config file given");
    }
    Tree acc = new Tree();
    List<Path> read = new ArrayList<>();
    for (Path file : files) {
      if (!Files.isRegularFile(file)) {
        throw new ConfigException(file + ": no such config file");
      }
      acc.merge(loadFile(file, new ArrayList<>(), read));
    }
    for (String override : overrides) {
      applySet(acc, override);
    }
    return new ResolvedConfig(acc.map, acc.origins, read, files.get(files.size() - 1).toString());
  }

  /** A tree under construction with its origins; the origins of a subtree share its path as prefix. */
  private static final class Tree {
    final Map<String, Object> map = new LinkedHashMap<>();
    final TreeMap<String, Origin> origins = new TreeMap<>();

    /** Lays {@code over} on top of this tree: maps merge, everything else replaces. */
    void merge(Tree over) {
      merge(map, over.map, over.origins, "");
    }

    @SuppressWarnings("unchecked")
    private void merge(Map<String, Object> base, Map<String, Object> over, NavigableMap<String, Origin> overOrigins,
        String prefix) {
      for (Map.Entry<String, Object> e : over.entrySet()) {
        String path = KeyPath.child(prefix, e.getKey());
        Object old = base.get(e.getKey());
        if (old instanceof Map && e.getValue() instanceof Map) {
          Origin o = overOrigins.get(path);
          if (o != null) {
            origins.put(path, o);
          }
          merge((Map<String, Object>) old, (Map<String, Object>) e.getValue(), overOrigins, path);
        } else {
          removeUnder(origins, path);
          origins.putAll(under(overOrigins, path));
          base.put(e.getKey(), e.getValue());
        }
      }
    }
  }

  private static boolean isUnder(String key, String path) {
    return key.startsWith(path) && (key.length() == path.length() || key.charAt(path.length()) == '.'
        || key.charAt(path.length()) == '[');
  }

  private static Map<String, Origin> under(NavigableMap<String, Origin> origins, String path) {
    Map<String, Origin> found = new HashMap<>();
    for (Map.Entry<String, Origin> e : origins.tailMap(path, true).entrySet()) {
      if (!e.getKey().startsWith(path)) {
        break;
      }
      if (isUnder(e.getKey(), path)) {
        found.put(e.getKey(), e.getValue());
      }
    }
    return found;
  }

  private static void removeUnder(NavigableMap<String, Origin> origins, String path) {
    Iterator<String> it = origins.tailMap(path, true).keySet().iterator();
    while (it.hasNext()) {
      String key = it.next();
      if (!key.startsWith(path)) {
        break;
      }
      if (isUnder(key, path)) {
        it.remove();
      }
    }
  }

  // ---- files and extends ----

  private Tree loadFile(Path file, List<Path> chain, List<Path> read) {
    String display = file.toString();
    checkSize(file, display);
    Node root = compose(display, () -> Files.newBufferedReader(file, StandardCharsets.UTF_8));
    Converter conv = new Converter(display, null, keyPathKeys);
    Tree self = new Tree();
    if (root != null) {
      if (!(root instanceof MappingNode)) {
        throw new ConfigException(display + ":" + line(root) + ": the top level must be a map of keys "
            + "(key: value lines), not " + (root instanceof SequenceNode ? "a list" : "a single value"));
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> map = (Map<String, Object>) conv.convert(root, "");
      self.map.putAll(map);
      self.origins.putAll(conv.origins);
    }
    List<Path> chainHere = new ArrayList<>(chain);
    chainHere.add(file);
    Tree result = new Tree();
    Object ext = self.map.remove(EXTENDS);
    List<String> parents = parentNames(ext, self.origins, display);
    for (int i = 0; i < parents.size(); i++) {
      String where = self.origins.containsKey(KeyPath.element(EXTENDS, i))
          ? self.origins.get(KeyPath.element(EXTENDS, i)).prefix(EXTENDS)
          : self.origins.get(EXTENDS).prefix(EXTENDS);
      Path parent = resolveSibling(file, parents.get(i));
      if (!Files.isRegularFile(parent)) {
        throw new ConfigException(where + ": no such file '" + parents.get(i) + "' (looked for "
            + parent.toAbsolutePath().normalize() + "); paths are relative to the file that names them");
      }
      for (Path seen : chainHere) {
        if (sameFile(seen, parent)) {
          List<String> names = new ArrayList<>();
          chainHere.subList(chainHere.indexOf(seen), chainHere.size()).forEach(p -> names.add(p.toString()));
          names.add(parent.toString());
          throw new ConfigException(where + ": cycle " + String.join(" -> ", names)
              + "; a file may not extend itself, directly or through others: remove one of these extends");
        }
      }
      result.merge(loadFile(parent, chainHere, read));
    }
    removeUnder(self.origins, EXTENDS);
    result.merge(self);
    read.add(file);
    return result;
  }

  /**
   * SnakeYAML counts code points only as it reaches tokens, so a file of comments would be read to its
   * end however large; its size in bytes bounds it before reading. UTF-8 takes at most four bytes per
   * code point, so no file under the code point limit is refused here.
   */
  private static void checkSize(Path file, String display) {
    try {
      long size = Files.size(file);
      if (size > 4L * CODE_POINT_LIMIT) {
        throw new ConfigException(display + ": the file has " + size + " bytes; a config may hold at most "
            + CODE_POINT_LIMIT + " code points: is this a data file?");
      }
    } catch (IOException e) {
      throw new ConfigException(display + ": cannot read: " + e.getMessage());
    }
  }

  private static List<String> parentNames(Object ext, Map<String, Origin> origins, String display) {
    if (ext == null) {
      return List.of();
    }
    if (ext instanceof String s) {
      return List.of(s);
    }
    if (ext instanceof List<?> list && list.stream().allMatch(e -> e instanceof String)) {
      return list.stream().map(String.class::cast).toList();
    }
    throw new ConfigException(origins.get(EXTENDS).prefix(EXTENDS) + ": expected a file path or a list of "
        + "file paths but found " + KeyPath.describe(ext) + ", e.g. extends: [base.yaml, rte.yaml]");
  }

  private static Path resolveSibling(Path file, String name) {
    Path dir = file.getParent();
    Path named = Path.of(name);
    return (dir == null || named.isAbsolute() ? named : dir.resolve(named)).normalize();
  }

  private static boolean sameFile(Path a, Path b) {
    try {
      return Files.isSameFile(a, b);
    } catch (IOException e) {
      return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
    }
  }

  // ---- --set ----

  private void applySet(Tree acc, String override) {
    int eq = override.indexOf('=');
    if (eq <= 0) {
      throw new ConfigException("--set " + override + ": expected KEY=VALUE, e.g. --set train.lr=1e-3");
    }
    String rawKey = override.substring(0, eq).trim();
    List<Object> segments = KeyPath.parse(rawKey, "--set " + rawKey);
    String path = KeyPath.format(segments);
    String where = "--set " + path;
    if (segments.get(0) instanceof Integer) {
      throw new ConfigException(where + ": a key path starts with a key, e.g. peft[0].r");
    }
    if (segments.get(0).equals(EXTENDS)) {
      throw new ConfigException(where + ": extends can only be written in a config file; name the files "
          + "instead, or add them to the config's extends list");
    }
    String text = override.substring(eq + 1);
    Node node = compose(where, () -> new StringReader(text));
    if (node instanceof MappingNode) {
      throw new ConfigException(where + ": the value '" + text + "' is a map; set its keys one at a time, "
          + "e.g. --set " + path + ".KEY=VALUE");
    }
    Converter conv = new Converter(where, Origin.SET, false);
    Object value = node == null ? null : conv.convert(node, path);
    put(acc, segments, where, value, conv.origins, Origin.SET);
  }

  /** Places {@code value} at {@code segments}: into a map already there key by key, else replacing. */
  @SuppressWarnings("unchecked")
  private void place(Tree acc, List<Object> segments, Object value, Origin origin) {
    String path = KeyPath.format(segments);
    if (value instanceof Map<?, ?> map) {
      // Keys inside the map may be key paths too, so it is always laid key by key, onto a fresh map if need be.
      if (!(KeyPath.get(acc.map, segments) instanceof Map)) {
        put(acc, segments, origin.prefix(path), new LinkedHashMap<String, Object>(), Map.of(path, origin), origin);
      }
      for (Map.Entry<String, Object> e : ((Map<String, Object>) map).entrySet()) {
        List<Object> child = new ArrayList<>(segments);
        child.addAll(KeyPath.parse(e.getKey(), origin.prefix(KeyPath.child(path, e.getKey()))));
        place(acc, child, e.getValue(), origin);
      }
      return;
    }
    Map<String, Origin> origins = new HashMap<>();
    originsOf(path, value, origin, origins);
    put(acc, segments, origin.prefix(path), mutableCopy(value), origins, origin);
  }

  /** Placed values may come from another, frozen tree; later overrides must be able to change them. */
  private static Object mutableCopy(Object value) {
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> copy = new LinkedHashMap<>();
      map.forEach((k, v) -> copy.put((String) k, mutableCopy(v)));
      return copy;
    }
    if (value instanceof List<?> list) {
      List<Object> copy = new ArrayList<>(list.size());
      list.forEach(v -> copy.add(mutableCopy(v)));
      return copy;
    }
    return value;
  }

  private static void originsOf(String path, Object value, Origin origin, Map<String, Origin> out) {
    out.put(path, origin);
    if (value instanceof Map<?, ?> map) {
      map.forEach((k, v) -> originsOf(KeyPath.child(path, (String) k), v, origin, out));
    } else if (value instanceof List<?> list) {
      for (int i = 0; i < list.size(); i++) {
        originsOf(KeyPath.element(path, i), list.get(i), origin, out);
      }
    }
  }

  /** Puts {@code value} at {@code segments}, creating maps on the way; {@code where} starts messages. */
  private void put(Tree acc, List<Object> segments, String where, Object value, Map<String, Origin> valueOrigins,
      Origin origin) {
    String path = KeyPath.format(segments);
    Object container = acc.map;
    String at = "";
    for (int i = 0; i < segments.size(); i++) {
      Object seg = segments.get(i);
      boolean last = i == segments.size() - 1;
      String next = seg instanceof Integer idx ? KeyPath.element(at, idx) : KeyPath.child(at, (String) seg);
      if (seg instanceof Integer idx) {
        @SuppressWarnings("unchecked")
        List<Object> list = (List<Object>) container;
        if (idx >= list.size()) {
          throw new ConfigException(where + ": " + at + " has " + list.size() + " element"
              + (list.size() == 1 ? "" : "s") + ", so there is no [" + idx + "]; --set can change elements, "
              + "not add them: set the whole list, e.g. --set " + at + "=[a, b]");
        }
        if (last) {
          list.set(idx, value);
        } else {
          container = list.get(idx);
        }
      } else {
        @SuppressWarnings("unchecked")
        Map<String, Object> map = (Map<String, Object>) container;
        if (last) {
          map.put((String) seg, value);
        } else {
          Object child = map.get(seg);
          if (child == null && !(segments.get(i + 1) instanceof Integer)) {
            child = new LinkedHashMap<String, Object>();
            map.put((String) seg, child);
            acc.origins.put(next, origin);
          }
          container = child;
        }
      }
      if (!last) {
        boolean wantList = segments.get(i + 1) instanceof Integer;
        if (wantList ? !(container instanceof List) : !(container instanceof Map)) {
          Origin o = acc.origins.getOrDefault(next, Origin.DEFAULT);
          throw new ConfigException(where + ": " + next + " is " + KeyPath.describe(container)
              + (o.kind() == Origin.Kind.DEFAULT ? "" : " (from " + o + ")") + ", not a "
              + (wantList ? "list" : "map") + ", so it has no " + (wantList ? "elements" : "keys")
              + "; set " + next + " itself instead");
        }
      }
      at = next;
    }
    removeUnder(acc.origins, path);
    acc.origins.putAll(valueOrigins);
    acc.origins.putIfAbsent(path, origin);
  }

  // ---- YAML nodes ----

  private interface ReaderSource {
    Reader open() throws IOException;
  }

  private static LoaderOptions loaderOptions() {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    options.setMaxAliasesForCollections(MAX_ALIASES);
    options.setCodePointLimit(CODE_POINT_LIMIT);
    options.setNestingDepthLimit(NESTING_DEPTH_LIMIT);
    options.setAllowRecursiveKeys(false);
    options.setMergeOnCompose(false);
    // Composing builds no objects, so tags are harmless here; Converter rejects every non-core tag
    // itself, which lets the message name the key instead of only the line.
    options.setTagInspector(tag -> true);
    return options;
  }

  private static Node compose(String display, ReaderSource source) {
    LoaderOptions options = loaderOptions();
    DumperOptions dump = new DumperOptions();
    Yaml yaml = new Yaml(new SafeConstructor(options), new Representer(dump), dump, options);
    try (Reader reader = source.open()) {
      return yaml.compose(reader);
    } catch (NoSuchFileException e) {
      throw new ConfigException(display + ": no such config file");
    } catch (IOException e) {
      throw new ConfigException(display + ": cannot read: " + e.getMessage());
    } catch (MarkedYAMLException e) {
      int line = e.getProblemMark() != null ? e.getProblemMark().getLine() + 1
          : e.getContextMark() != null ? e.getContextMark().getLine() + 1 : 0;
      String problem = e.getProblem() != null ? e.getProblem() : e.getMessage();
      String context = e.getContext() != null ? " (" + e.getContext().trim() + ")" : "";
      throw new ConfigException((line > 0 ? display + ":" + line : display) + ": not valid YAML: "
          + problem.trim() + context);
    } catch (YAMLException e) {
      if (e.getCause() instanceof CharacterCodingException) {
        throw new ConfigException(display + ": not UTF-8 text; save the file as UTF-8");
      }
      String msg = String.valueOf(e.getMessage());
      String hint = msg.contains("aliases") ? "; tfew allows at most " + MAX_ALIASES
          + " aliases (*name) of maps and lists per file (alias bombs)" : "";
      throw new ConfigException(display + ": " + msg + hint);
    }
  }

  private static int line(Node node) {
    return node.getStartMark().getLine() + 1;
  }

  private static String tagName(Tag tag) {
    String v = tag.getValue();
    return v.startsWith(Tag.PREFIX) ? "!!" + v.substring(Tag.PREFIX.length()) : v;
  }

  /** SafeConstructor's scalar rules (ints, floats, bools, nulls as YAML 1.1 reads them), nothing more. */
  private static final class Scalars extends SafeConstructor {
    Scalars() {
      super(loaderOptions());
    }

    Object scalar(ScalarNode node) {
      return constructObject(node);
    }
  }

  /** Nodes to plain Java values, recording the origin of every key and list element. */
  private static final class Converter {
    final String display;
    final Origin fixed;
    final TreeMap<String, Origin> origins = new TreeMap<>();
    final Set<Node> open = Collections.newSetFromMap(new IdentityHashMap<>());
    final Scalars scalars = new Scalars();
    final boolean keyPathKeys;
    int count;

    /**
     * {@code fixed}: the origin of every value (for --set), or null to use file lines;
     * {@code keyPathKeys}: map keys may be key paths (sweep grids).
     */
    Converter(String display, Origin fixed, boolean keyPathKeys) {
      this.display = display;
      this.fixed = fixed;
      this.keyPathKeys = keyPathKeys;
    }

    ConfigException error(Node node, String path, String problem) {
      String key = path.isEmpty() ? "(top level)" : path;
      String where = fixed != null ? "--set " + key : display + ":" + line(node) + ": " + key;
      return new ConfigException(where + ": " + problem);
    }

    Origin originOf(Node node) {
      return fixed != null ? fixed : Origin.at(display, line(node));
    }

    Object convert(Node node, String path) {
      if (++count > MAX_VALUES) {
        throw new ConfigException(display + ": the config expands to more than " + MAX_VALUES
            + " values; aliases (*name) repeat whole maps and lists, so check them");
      }
      if (!open.add(node)) {
        throw error(node, path, "an alias (*name) refers to a map or list that contains it; "
            + "a config must be a tree");
      }
      try {
        if (node instanceof ScalarNode scalar) {
          return scalar(scalar, path);
        }
        if (node instanceof SequenceNode seq) {
          checkTag(node, Tag.SEQ, path);
          List<Object> list = new ArrayList<>(seq.getValue().size());
          for (Node item : seq.getValue()) {
            String p = KeyPath.element(path, list.size());
            origins.put(p, originOf(item));
            list.add(convert(item, p));
          }
          return list;
        }
        MappingNode mapping = (MappingNode) node;
        checkTag(node, Tag.MAP, path);
        Map<String, Object> map = new LinkedHashMap<>();
        Map<String, Integer> firstLine = new HashMap<>();
        for (NodeTuple t : mapping.getValue()) {
          String key = key(t.getKeyNode(), path);
          String p = KeyPath.child(path, key);
          Integer first = firstLine.putIfAbsent(key, line(t.getKeyNode()));
          if (first != null) {
            throw error(t.getKeyNode(), p, "duplicate key (first at line " + first + "); remove one of the two");
          }
          origins.put(p, originOf(t.getKeyNode()));
          map.put(key, convert(t.getValueNode(), p));
        }
        return map;
      } finally {
        open.remove(node);
      }
    }

    private String key(Node node, String path) {
      if (!(node instanceof ScalarNode scalar)) {
        throw error(node, path, "a map or list is used as a key; keys must be plain names");
      }
      if (Tag.MERGE.equals(node.getTag())) {
        throw error(node, KeyPath.child(path, "<<"), "merge keys (<<) are not supported; "
            + "use extends: to build on another file");
      }
      if (!SCALAR_TAGS.contains(node.getTag())) {
        throw error(node, path, "the tag " + tagName(node.getTag()) + " is not allowed on a key; remove it");
      }
      String key = scalar.getValue();
      if (keyPathKeys && !key.isEmpty()) {
        return key;
      }
      if (key.isEmpty() || key.indexOf('.') >= 0 || key.indexOf('[') >= 0 || key.indexOf(']') >= 0) {
        throw error(node, path, "the key '" + key + "' is empty or contains '.', '[' or ']', which "
            + "key paths such as train.lr and peft[0].r use; rename it");
      }
      return key;
    }

    private Object scalar(ScalarNode node, String path) {
      Tag tag = node.getTag();
      if (Tag.TIMESTAMP.equals(tag)) {
        // A date-like value such as 2024-01-01 stays the text it is; no key of tfew takes a date.
        return node.getValue();
      }
      if (!SCALAR_TAGS.contains(tag)) {
        throw tagError(node, path);
      }
      try {
        return scalars.scalar(node);
      } catch (RuntimeException e) {
        throw error(node, path, "'" + node.getValue() + "' cannot be read as " + tagName(tag));
      }
    }

    private void checkTag(Node node, Tag expected, String path) {
      if (!expected.equals(node.getTag())) {
        throw tagError(node, path);
      }
    }

    private ConfigException tagError(Node node, String path) {
      return error(node, path, "the tag " + tagName(node.getTag()) + " is not allowed; configs hold "
          + "only maps, lists, strings, numbers, booleans and null: remove the tag");
    }
  }
}
