package io.tfew.core.model;

import io.tfew.api.TfewException;
import io.tfew.api.model.BaseDerivation;
import io.tfew.api.model.ParameterInit;
import io.tfew.api.model.Parameters;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Assign;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TType;

/**
 * The parameters plugins declare, as variables named by their keys, with their initial values: the
 * trainable ones ({@link #declared()}) and the frozen tensors methods own ({@link #frozenTensors()}),
 * which no optimizer sees but adapters save and load.
 *
 * <p>Each parameter's initial values come from a random stream seeded by the run's seed and the
 * parameter's key, so they do not depend on declaration order or on which other methods are active.
 * Every key belongs to the method that declared it first; another method declaring it, training it or
 * replacing it is refused naming both, since each method's adapter holds its own keys only.
 */
public final class TrainableParameters implements Parameters {

  /** One declared parameter. */
  public record Declared(String key, String owner, long[] shape, Variable<TFloat32> variable,
      Placeholder<TFloat32> feed, Assign<TFloat32> assign, ParameterInit init) {
    public long size() {
      long n = 1;
      for (long d : shape) {
        n *= d;
      }
      return n;
    }
  }

  /** Values per initialising run (64 MB of float32). */
  private static final long INIT_BATCH_VALUES = 16L << 20;

  /**
   * Values one batched read or assignment moves per run (256 MB of float32): a small adapter takes one run,
   * while a full fine-tune's "adapter", as large as the model, never holds a second native copy of itself.
   */
  public static final long RUN_BATCH_VALUES = 64L << 20;

  private final Ops tf;
  private final T5Weights base;
  private long seed;
  private final Map<String, Declared> declared = new LinkedHashMap<>();
  private final Map<String, Declared> frozen = new LinkedHashMap<>();
  /** Base weights replaced by a derived copy, with the method that replaced each. */
  private final Map<String, String> replacedBy = new LinkedHashMap<>();
  private String owner = "";

  public TrainableParameters(Ops tf, T5Weights base, long seed) {
    this.tf = tf.withSubScope("peft");
    this.base = base;
    this.seed = seed;
  }

  @Override
  public Operand<TFloat32> trainable(String key, Shape shape, ParameterInit init) {
    if (frozen.containsKey(key)) {
      throw new TfewException("parameter '" + key + "': the key is already a frozen tensor of method '"
          + frozen.get(key).owner() + "'; a key is trainable or frozen, not both");
    }
    return declare(declared, "parameter", key, shape, init);
  }

  @Override
  public Operand<TFloat32> frozen(String key, Shape shape, ParameterInit init) {
    if (declared.containsKey(key)) {
      throw new TfewException("frozen tensor '" + key + "': the key is already a trainable parameter of method '"
          + declared.get(key).owner() + "'; a key is trainable or frozen, not both");
    }
    return declare(frozen, "frozen tensor", key, shape, init);
  }

  private Operand<TFloat32> declare(Map<String, Declared> into, String what, String key, Shape shape,
      ParameterInit init) {
    java.util.Objects.requireNonNull(init, "init");
    Declared existing = into.get(key);
    long[] dims = shape.asArray();
    if (existing != null) {
      requireSameOwner(what, key, existing.owner());
      if (!Arrays.equals(existing.shape(), dims)) {
        throw new TfewException(what + " '" + key + "' declared twice with different shapes "
            + Arrays.toString(existing.shape()) + " and " + Arrays.toString(dims));
      }
      return existing.variable();
    }
    for (long d : dims) {
      if (d < 1) {
        throw new TfewException(what + " '" + key + "' has an empty or unknown dimension in shape " + shape);
      }
    }
    Ops named = tf.withName(key);
    Variable<TFloat32> v = named.variable(shape, TFloat32.class);
    Placeholder<TFloat32> feed = tf.withName(key + ".feed").placeholder(TFloat32.class, Placeholder.shape(shape));
    Assign<TFloat32> assign = tf.withName(key + ".assign").assign(v, feed);
    into.put(key, new Declared(key, owner, dims, v, feed, assign, init));
    return v;
  }

  /** A key belongs to the method that declared it first: its adapter is the one that saves it. */
  private void requireSameOwner(String what, String key, String first) {
    if (!first.equals(owner)) {
      throw new TfewException("PEFT methods '" + first + "' and '" + owner + "' both declare " + what + " '" + key
          + "'; each method's adapter holds its own keys, so these two methods cannot be combined as configured");
    }
  }

  /**
   * Sets the seed the next {@link #initialize} and {@link #initializeFromBase} draw from, so one graph can
   * serve runs of several seeds with the values a graph built with that seed would start from.
   */
  public void reseed(long seed) {
    this.seed = seed;
  }

  /**
   * Attributes the parameters declared from now on to the method {@code name}; core calls this before
   * each method's hook, so a method's adapter file holds its own parameters and no one else's.
   */
  public void declaringFor(String name) {
    owner = name;
  }

  /** The parameters one method declared, in declaration order. */
  public Map<String, Declared> declaredBy(String name) {
    Map<String, Declared> mine = new LinkedHashMap<>();
    declared.values().stream().filter(d -> d.owner().equals(name)).forEach(d -> mine.put(d.key(), d));
    return mine;
  }

  /** The frozen tensors one method declared ({@link #frozen(String, Shape, ParameterInit)}), in declaration order. */
  public Map<String, Declared> frozenBy(String name) {
    Map<String, Declared> mine = new LinkedHashMap<>();
    frozen.values().stream().filter(d -> d.owner().equals(name)).forEach(d -> mine.put(d.key(), d));
    return mine;
  }

  /** What one method's adapter holds: its trainable parameters, then its frozen tensors. */
  public Map<String, Declared> savedBy(String name) {
    Map<String, Declared> mine = declaredBy(name);
    mine.putAll(frozenBy(name));
    return mine;
  }

  @Override
  public Operand<TFloat32> baseWeight(String key) {
    return base.get(key);
  }

  @Override
  public Operand<TFloat32> trainableBase(String key) {
    Declared existing = declared.get(key);
    if (existing != null) {
      requireSameOwner("trainable base weight", key, existing.owner());
      return existing.variable();
    }
    if (!base.has(key)) {
      throw new TfewException("no base weight '" + key + "'; base weights are named like "
          + base.shapes().keySet().stream().limit(3).toList());
    }
    if (base.replaced().contains(key)) {
      throw new TfewException("base weight '" + key + "' cannot be trained" + byMethods(replacedBy.get(key))
          + ": a method replaced it by a derived frozen copy (replaceBaseWeight), so its float32 values are never "
          + "loaded; target it with one of the two only");
    }
    // No initialiser: the checkpoint load gives it its starting value.
    declared.put(key, new Declared(key, owner, base.shapes().get(key), base.variable(key), base.feed(key),
        base.assignOp(key), null));
    return base.get(key);
  }

  @Override
  public <T extends TType> Operand<T> frozenFromBase(String key, String baseKey, Shape shape, Class<T> type,
      BaseDerivation derive) {
    if (declared.containsKey(key)) {
      throw new TfewException("frozen tensor '" + key + "': the key is already a declared parameter");
    }
    return base.derive(key, baseKey, shape, type, derive);
  }

  @Override
  public void replaceBaseWeight(String baseKey) {
    Declared trained = declared.get(baseKey);
    if (trained != null) {
      throw new TfewException("base weight '" + baseKey + "' cannot be replaced by a derived copy"
          + byMethods(trained.owner()) + ": method '" + trained.owner() + "' trains it (trainableBase); target it "
          + "with one of the two only");
    }
    String first = replacedBy.putIfAbsent(baseKey, owner);
    if (first != null && !first.equals(owner)) {
      throw new TfewException("PEFT methods '" + first + "' and '" + owner + "' both replace base weight '" + baseKey
          + "' (replaceBaseWeight); each would read only its own derived copy, so they cannot be combined");
    }
    base.replace(baseKey);
  }

  @Override
  public java.util.List<String> baseWeightKeys() {
    return java.util.List.copyOf(base.shapes().keySet());
  }

  /** " (PEFT methods 'x' and 'y' both claim it)" when another method than the current one is involved. */
  private String byMethods(String first) {
    if (first == null || first.equals(owner)) {
      return "";
    }
    return " (PEFT methods '" + first + "' and '" + owner + "' both claim it)";
  }

  /** The trainable parameters, in declaration order. */
  public Map<String, Declared> declared() {
    return Collections.unmodifiableMap(declared);
  }

  /** The frozen tensors methods own, in declaration order; no optimizer updates them. */
  public Map<String, Declared> frozenTensors() {
    return Collections.unmodifiableMap(frozen);
  }

  /** Values of the trainable parameters. */
  public long count() {
    return declared.values().stream().mapToLong(Declared::size).sum();
  }

  /** Values of the frozen tensors methods own, counted apart from the trainable ones. */
  public long frozenCount() {
    return frozen.values().stream().mapToLong(Declared::size).sum();
  }

  /** Trainable parameters first, then frozen tensors: everything an init or an adapter assigns. */
  private Iterable<Declared> all() {
    List<Declared> all = new ArrayList<>(declared.values());
    all.addAll(frozen.values());
    return all;
  }

  private Declared find(String key) {
    Declared d = declared.get(key);
    return d != null ? d : frozen.get(key);
  }

  /**
   * Runs every parameter's initialiser, except those derived from base weights
   * ({@link ParameterInit.BaseDerived}): they wait for {@link #initializeFromBase}, after the checkpoint load.
   */
  public void initialize(Session session) {
    // Assigned in batches of up to INIT_BATCH_VALUES values per run: each distinct run costs TensorFlow a
    // pruning pass over the whole graph, which one run per parameter (LoRA on every linear: ~100) repeats.
    List<TFloat32> tensors = new ArrayList<>();
    Session.Runner runner = session.runner();
    long batched = 0;
    try {
      for (Declared d : all()) {
        if (d.init() == null || d.init() instanceof ParameterInit.BaseDerived) {
          continue;
        }
        long n = d.size();
        if (n > Integer.MAX_VALUE) {
          throw new TfewException("parameter '" + d.key() + "' has " + n + " values; at most 2^31-1 are supported");
        }
        float[] values = new float[(int) n];
        d.init().fill(values, d.shape(), randomFor(d.key()));
        TFloat32 t = TFloat32.tensorOf(Shape.of(d.shape()));
        tensors.add(t);
        t.asRawTensor().data().asFloats().write(values);
        runner.feed(d.feed(), t).addTarget(d.assign());
        batched += n;
        if (batched >= INIT_BATCH_VALUES) {
          runner.run().close();
          tensors.forEach(TFloat32::close);
          tensors.clear();
          runner = session.runner();
          batched = 0;
        }
      }
      if (!tensors.isEmpty()) {
        runner.run().close();
      }
    } finally {
      tensors.forEach(TFloat32::close);
    }
  }

  /**
   * Runs the initialisers that read base weights ({@link ParameterInit#fromBase}); call it after the
   * checkpoint is loaded and before an adapter is loaded over them. Until then such parameters are
   * unassigned, so forgetting this call fails loudly at the first run instead of training from zeros.
   * Each base weight is read from the session at most once per call.
   */
  public void initializeFromBase(Session session) {
    Map<String, float[]> cache = new java.util.HashMap<>();
    ParameterInit.BaseValues values = new ParameterInit.BaseValues() {
      @Override
      public long[] shape(String key) {
        long[] shape = base.shapes().get(key);
        if (shape == null) {
          throw new TfewException("no base weight '" + key + "'");
        }
        return shape.clone();
      }

      @Override
      public float[] read(String key) {
        long[] shape = shape(key);
        if (base.replaced().contains(key)) {
          throw new TfewException("base weight '" + key + "' was replaced by a derived copy (replaceBaseWeight), "
              + "so its float32 values are not loaded and a fromBase init cannot read them");
        }
        return cache.computeIfAbsent(key, k -> {
          try (Result r = session.runner().fetch(base.get(k)).run()) {
            TFloat32 t = (TFloat32) r.get(0);
            long n = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
            float[] out = new float[Math.toIntExact(n)];
            t.asRawTensor().data().asFloats().read(out);
            return out;
          }
        });
      }
    };
    for (Declared d : all()) {
      if (d.init() instanceof ParameterInit.BaseDerived fromBase) {
        float[] v = new float[Math.toIntExact(d.size())];
        fromBase.fill(v, d.shape(), randomFor(d.key()), values);
        assign(session, d.key(), v);
      }
    }
  }

  /**
   * Sets several parameters' or frozen tensors' values in one {@code Session.run} (one run per key would cost
   * a pruning pass over the whole graph each; see {@link #RUN_BATCH_VALUES} for very large sets); every key and
   * length is checked before anything is assigned.
   */
  public void assign(Session session, Map<String, float[]> values) {
    List<Declared> targets = new ArrayList<>();
    for (Map.Entry<String, float[]> e : values.entrySet()) {
      targets.add(checked(e.getKey(), e.getValue()));
    }
    for (List<Declared> batch : batches(targets, RUN_BATCH_VALUES)) {
      List<TFloat32> tensors = new ArrayList<>();
      try {
        Session.Runner runner = session.runner();
        for (Declared d : batch) {
          TFloat32 t = TFloat32.tensorOf(Shape.of(d.shape()));
          tensors.add(t);
          t.asRawTensor().data().asFloats().write(values.get(d.key()));
          runner.feed(d.feed(), t).addTarget(d.assign());
        }
        try (Result r = runner.run()) {
          // assignment only
        }
      } finally {
        tensors.forEach(TFloat32::close);
      }
    }
  }

  private Declared checked(String key, float[] values) {
    Declared d = find(key);
    if (d == null) {
      throw new TfewException("no parameter '" + key + "' is declared; declared: " + declared.keySet()
          + (frozen.isEmpty() ? "" : ", frozen: " + frozen.keySet()));
    }
    if (values.length != d.size()) {
      throw new TfewException("parameter '" + key + "' has shape " + Arrays.toString(d.shape())
          + " (" + d.size() + " values) but " + values.length + " values were given");
    }
    return d;
  }

  /** Sets a parameter's or frozen tensor's values, e.g. from a loaded adapter. */
  public void assign(Session session, String key, float[] values) {
    Declared d = checked(key, values);
    try (TFloat32 t = TFloat32.tensorOf(Shape.of(d.shape()))) {
      t.asRawTensor().data().asFloats().write(values);
      try (Result r = session.runner().feed(d.feed(), t).addTarget(d.assign()).run()) {
        // assignment only
      }
    }
  }

  /**
   * Reads several parameters' or frozen tensors' current values in one {@code Session.run} (see
   * {@link #RUN_BATCH_VALUES} for very large sets), keyed and ordered as {@code keys}: each distinct run costs TensorFlow a pruning pass over the whole graph, so reading an
   * adapter's tensors one run each (LoRA on every linear: ~100) spent nearly all of an adapter save in it.
   */
  public Map<String, float[]> read(Session session, Collection<String> keys) {
    List<Declared> wanted = new ArrayList<>();
    for (String key : keys) {
      Declared d = find(key);
      if (d == null) {
        throw new TfewException("no parameter '" + key + "' is declared");
      }
      wanted.add(d);
    }
    Map<String, float[]> out = new LinkedHashMap<>();
    for (List<Declared> batch : batches(wanted, RUN_BATCH_VALUES)) {
      Session.Runner runner = session.runner();
      batch.forEach(d -> runner.fetch(d.variable()));
      try (Result r = runner.run()) {
        for (int i = 0; i < batch.size(); i++) {
          float[] values = new float[Math.toIntExact(batch.get(i).size())];
          ((TFloat32) r.get(i)).asRawTensor().data().asFloats().read(values);
          out.put(batch.get(i).key(), values);
        }
      }
    }
    return out;
  }

  /** Consecutive runs of {@code all} of at most {@code limit} values each (or one tensor, if larger). */
  static List<List<Declared>> batches(List<Declared> all, long limit) {
    List<List<Declared>> out = new ArrayList<>();
    List<Declared> current = new ArrayList<>();
    long values = 0;
    for (Declared d : all) {
      if (!current.isEmpty() && values + d.size() > limit) {
        out.add(current);
        current = new ArrayList<>();
        values = 0;
      }
      current.add(d);
      values += d.size();
    }
    if (!current.isEmpty()) {
      out.add(current);
    }
    return out;
  }

  /** Reads a parameter's or frozen tensor's current values. */
  public float[] read(Session session, String key) {
    Declared d = find(key);
    if (d == null) {
      throw new TfewException("no parameter '" + key + "' is declared");
    }
    try (Result r = session.runner().fetch(d.variable()).run()) {
      TFloat32 t = (TFloat32) r.get(0);
      float[] out = new float[(int) d.size()];
      t.asRawTensor().data().asFloats().read(out);
      return out;
    }
  }

  private SplittableRandom randomFor(String key) {
    long h = seed;
    for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
      h = h * 1_000_003L + b;
    }
    return new SplittableRandom(h);
  }
}
