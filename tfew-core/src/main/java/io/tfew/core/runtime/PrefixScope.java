package io.tfew.core.runtime;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.tensorflow.ConcreteFunction;
import org.tensorflow.DeviceSpec;
import org.tensorflow.ExecutionEnvironment;
import org.tensorflow.Graph;
import org.tensorflow.Operation;
import org.tensorflow.OperationBuilder;
import org.tensorflow.op.Ops;
import org.tensorflow.op.Scope;

/**
 * A graph {@link Scope} that names operations exactly as TensorFlow-Java's own {@code OpScope} does
 * ({@code prefix/name}, {@code name_1} for a repeated name), but opens a sub-scope in constant time.
 *
 * <p>Why it exists: in TensorFlow-Java 1.1.0, {@code Ops.withSubScope} walks every operation already
 * in the graph to import the names used under the new prefix ({@code NameScope.importIdsFrom}). A T5
 * graph opens a sub-scope per layer, per site and per optimizer slot, so building it was quadratic in
 * its size: 19 s for a t5-small training graph and minutes for T0-3B, most of it in that walk (a JFR
 * profile of {@code tfew bench train} attributed the graph-build samples to {@code Slots.create},
 * {@code ModelSiteContext.scoped} and {@code T5Model} sub-scopes, all in {@code Graph.operations()}).
 *
 * <p>The walk only matters when names under a prefix were handed out by another scope object. Every
 * sub-scope here is created through its parent's unique-name table, so its prefix is new and nothing
 * else names operations under it; the one graph-wide walk left is at the root, which imports the
 * names of anything built before it. Operations created natively under a prefix (gradients) take that
 * prefix from {@link #makeOpName}, so the table knows it.
 *
 * <pre>{@code
 * Graph g = new Graph();
 * Ops tf = PrefixScope.ops(g);
 * Ops block = tf.withSubScope("encoder").withSubScope("block0");   // no walk over g
 * }</pre>
 */
public final class PrefixScope implements Scope {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9.][A-Za-z0-9_.\\-]*");
  private static final Pattern NUMBERED = Pattern.compile("(.+)_(\\d+)", Pattern.DOTALL);

  private final Graph graph;
  private final String prefix;
  private final String opName;
  private final Map<String, Integer> used;
  private final List<Operation> controls;
  private final DeviceSpec device;
  private final boolean init;

  private PrefixScope(Graph graph, String prefix, String opName, Map<String, Integer> used, List<Operation> controls,
      DeviceSpec device, boolean init) {
    this.graph = graph;
    this.prefix = prefix;
    this.opName = opName;
    this.used = used;
    this.controls = controls;
    this.device = device;
    this.init = init;
  }

  /** An op factory on {@code graph} whose sub-scopes open without walking the graph. */
  public static Ops ops(Graph graph) {
    PrefixScope root = new PrefixScope(graph, null, null, new HashMap<>(), List.of(),
        DeviceSpec.newBuilder().build(), false);
    graph.operations().forEachRemaining(op -> root.importName(op.name()));
    return Ops.create(new RootEnvironment(graph, root));
  }

  /** Records a root-level name already in the graph, as {@code NameScope.importIdsFrom} does. */
  private void importName(String name) {
    if (name.contains("/")) {
      String top = name.substring(0, name.indexOf('/'));
      used.merge(top, 1, Math::max);
      return;
    }
    var m = NUMBERED.matcher(name);
    if (m.matches()) {
      int next = Integer.parseInt(m.group(2)) + 1;
      used.merge(m.group(1), next, Math::max);
    } else {
      used.merge(name, 1, (a, b) -> a + 1);
    }
  }

  @Override
  public ExecutionEnvironment env() {
    return graph;
  }

  @Override
  public PrefixScope withSubScope(String childScopeName) {
    check(childScopeName);
    String actual = opName != null ? opName : childScopeName;
    return new PrefixScope(graph, qualify(makeUnique(actual)), null, new HashMap<>(), controls, device, init);
  }

  @Override
  public PrefixScope withName(String name) {
    check(name);
    return new PrefixScope(graph, prefix, name, used, controls, device, init);
  }

  @Override
  public PrefixScope withNameAsSubScope(String defaultName) {
    String full = makeOpName(defaultName);
    return new PrefixScope(graph, full, null, new HashMap<>(), controls, device, init);
  }

  @Override
  public PrefixScope withDevice(DeviceSpec deviceSpec) {
    return new PrefixScope(graph, prefix, opName, used, controls, deviceSpec, init);
  }

  @Override
  public PrefixScope withInitScope() {
    return new PrefixScope(graph, prefix, opName, used, List.of(), device, true);
  }

  @Override
  public String makeOpName(String defaultName) {
    check(defaultName);
    return qualify(makeUnique(opName != null ? opName : defaultName));
  }

  @Override
  public String makeUnique(String id) {
    Integer count = used.get(id);
    if (count == null) {
      used.put(id, 1);
      return id;
    }
    used.put(id, count + 1);
    return id + "_" + count;
  }

  @Override
  public void refreshNames() {
    // Only the root shares its prefix with names made elsewhere; see the class comment.
    if (prefix == null) {
      graph.operations().forEachRemaining(op -> importName(op.name()));
    }
  }

  @Override
  public Scope withControlDependencyOps(Iterable<Operation> ops) {
    List<Operation> kept = new ArrayList<>();
    for (Operation control : ops) {
      graph.checkInput(control);
      boolean controlIsInit = graph.isInitializer(control);
      if (init && !controlIsInit) {
        throw new IllegalArgumentException("Init scope can not have non-init control dependency.");
      }
      if (init || !controlIsInit) {
        kept.add(control);
      }
    }
    return new PrefixScope(graph, prefix, opName, used, List.copyOf(kept), device, init);
  }

  @Override
  public OperationBuilder apply(OperationBuilder builder) {
    builder.setDevice(device.toString());
    for (Operation control : controls) {
      if (init || !graph.isInitializer(control)) {
        builder.addControlInput(control);
      }
    }
    return builder;
  }

  @Override
  public String getDeviceString() {
    return device.toString();
  }

  @Override
  public boolean isInit() {
    return init;
  }

  private String qualify(String name) {
    return prefix == null ? name : prefix + "/" + name;
  }

  private static void check(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("invalid name: '" + name + "' does not match the regular expression "
          + NAME.pattern());
    }
  }

  /**
   * Hands {@link Ops#create} the root scope: {@code Ops} reads only {@link #baseScope()}; every op is
   * then built through the scope, whose {@link Scope#env()} is the graph itself.
   */
  private record RootEnvironment(Graph graph, PrefixScope root) implements ExecutionEnvironment {
    @Override
    public OperationBuilder opBuilder(String type, String name, Scope scope) {
      return graph.opBuilder(type, name, scope);
    }

    @Override
    public void attachFunction(ConcreteFunction function) {
      graph.attachFunction(function);
    }

    @Override
    public void checkInput(Operation input) {
      graph.checkInput(input);
    }

    @Override
    public Types environmentType() {
      return graph.environmentType();
    }

    @Override
    public Scope baseScope() {
      return root;
    }

    @Override
    public boolean isInitializer(Operation operation) {
      return graph.isInitializer(operation);
    }
  }
}
