package io.tfew.core.model;

import io.tfew.api.TfewException;
import io.tfew.api.model.BaseDerivation;
import io.tfew.core.checkpoint.Checkpoint;
import io.tfew.core.checkpoint.TensorInfo;
import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.ByteDataBuffer;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Assign;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.SwitchCond;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TUint8;
import org.tensorflow.types.family.TType;

/**
 * The frozen base weights of a T5 model as graph variables named by their Hugging Face keys, and
 * their loading from a checkpoint.
 *
 * <p>Weights are variables assigned from fed tensors, never constants: a GraphDef is capped at 2 GB.
 * Loading reads the weights from the file straight into native tensors and assigns them a group at a
 * time (see {@link #groupBytes}), reading the next group while the current one is assigned where both fit
 * the budget, so the peak memory is the variables plus that budget of fed tensors.
 *
 * <p>It also holds the frozen tensors methods derive from base weights
 * ({@link io.tfew.api.model.Parameters#frozenFromBase}), computed as each weight loads, and skips the
 * weights methods replaced ({@link io.tfew.api.model.Parameters#replaceBaseWeight}): their variables
 * exist in the graph but are never assigned, and TensorFlow allocates a variable's buffer only when it
 * is first assigned, so a replaced weight costs no memory.
 */
public final class T5Weights {
  /** A frozen tensor computed from a base weight; see {@link #derive}. */
  private record Derived(String key, String baseKey, long[] baseShape, long[] shape, Class<? extends TType> type,
      Variable<?> variable, Placeholder<?> feed, Assign<?> assign, BaseDerivation derivation) {}

  private final Ops frozen;
  private final Map<String, long[]> shapes;
  private final Map<String, Variable<TFloat32>> variables = new LinkedHashMap<>();
  private final Map<String, Placeholder<TFloat32>> feeds = new LinkedHashMap<>();
  private final Map<String, Assign<TFloat32>> assigns = new LinkedHashMap<>();
  /** Per weight, a fed value of any shape and an assignment that runs only when that value is not empty. */
  private final Map<String, Placeholder<TFloat32>> staged = new LinkedHashMap<>();
  private final Map<String, Assign<TFloat32>> gatedAssigns = new LinkedHashMap<>();
  private final Map<String, Derived> derived = new LinkedHashMap<>();
  private final Set<String> replaced = new LinkedHashSet<>();

  private T5Weights(Ops tf, T5Config config) {
    this.shapes = expectedShapes(config);
    this.frozen = tf.withSubScope("frozen");
    Ops scope = tf.withSubScope("base");
    Operand<TInt32> zero = scope.withName("empty").constant(0);
    for (Map.Entry<String, long[]> e : shapes.entrySet()) {
      Shape shape = Shape.of(e.getValue());
      Variable<TFloat32> v = scope.withName(e.getKey()).variable(shape, TFloat32.class);
      Placeholder<TFloat32> feed = scope.withName(e.getKey() + ".feed")
          .placeholder(TFloat32.class, Placeholder.shape(shape));
      variables.put(e.getKey(), v);
      feeds.put(e.getKey(), feed);
      assigns.put(e.getKey(), scope.withName(e.getKey() + ".assign").assign(v, feed));
      Placeholder<TFloat32> value = scope.withName(e.getKey() + ".staged").placeholder(TFloat32.class);
      SwitchCond<TFloat32> gate = scope.withName(e.getKey() + ".gate")
          .switchCond(value, scope.math.greater(scope.size(value), zero));
      staged.put(e.getKey(), value);
      gatedAssigns.put(e.getKey(), scope.withName(e.getKey() + ".load")
          .assign(v, scope.reshape(gate.outputTrue(), scope.constant(e.getValue()))));
    }
  }

  /** Declares one variable per weight the config implies. */
  public static T5Weights declare(Ops tf, T5Config config) {
    return new T5Weights(tf, config);
  }

  /**
   * Every weight Hugging Face's T5ForConditionalGeneration holds for this config, with its shape
   * ({@code [out, in]} for linears). Tied models have no {@code lm_head.weight}; the encoder's and
   * decoder's {@code embed_tokens} are the same tensor as {@code shared.weight} and not listed.
   */
  public static Map<String, long[]> expectedShapes(T5Config c) {
    Map<String, long[]> s = new LinkedHashMap<>();
    long d = c.dModel();
    long inner = c.innerDim();
    s.put("shared.weight", new long[] {c.vocabSize(), d});
    for (String stack : new String[] {"encoder", "decoder"}) {
      boolean decoder = stack.equals("decoder");
      int layers = decoder ? c.numDecoderLayers() : c.numLayers();
      for (int i = 0; i < layers; i++) {
        String b = stack + ".block." + i + ".layer.";
        attention(s, b + "0.SelfAttention.", d, inner);
        if (i == 0) {
          s.put(b + "0.SelfAttention.relative_attention_bias.weight",
              new long[] {c.relativeAttentionNumBuckets(), c.numHeads()});
        }
        s.put(b + "0.layer_norm.weight", new long[] {d});
        int ffn = 1;
        if (decoder) {
          attention(s, b + "1.EncDecAttention.", d, inner);
          s.put(b + "1.layer_norm.weight", new long[] {d});
          ffn = 2;
        }
        String f = b + ffn + ".DenseReluDense.";
        if (c.gatedFfn()) {
          s.put(f + "wi_0.weight", new long[] {c.dFf(), d});
          s.put(f + "wi_1.weight", new long[] {c.dFf(), d});
        } else {
          s.put(f + "wi.weight", new long[] {c.dFf(), d});
        }
        s.put(f + "wo.weight", new long[] {d, c.dFf()});
        s.put(b + ffn + ".layer_norm.weight", new long[] {d});
      }
      s.put(stack + ".final_layer_norm.weight", new long[] {d});
    }
    if (!c.tieWordEmbeddings()) {
      s.put("lm_head.weight", new long[] {c.vocabSize(), d});
    }
    return s;
  }

  private static void attention(Map<String, long[]> s, String prefix, long d, long inner) {
    s.put(prefix + "q.weight", new long[] {inner, d});
    s.put(prefix + "k.weight", new long[] {inner, d});
    s.put(prefix + "v.weight", new long[] {inner, d});
    s.put(prefix + "o.weight", new long[] {d, inner});
  }

  /** The variable of a weight by its HF key. */
  public Operand<TFloat32> get(String key) {
    Variable<TFloat32> v = variables.get(key);
    if (v == null) {
      throw new TfewException("the model has no weight '" + key + "'; known weights start with "
          + variables.keySet().stream().limit(3).toList());
    }
    return v;
  }

  Variable<TFloat32> variable(String key) {
    return variables.get(key);
  }

  Placeholder<TFloat32> feed(String key) {
    return feeds.get(key);
  }

  Assign<TFloat32> assignOp(String key) {
    return assigns.get(key);
  }

  public boolean has(String key) {
    return variables.containsKey(key);
  }

  /**
   * Declares a frozen tensor computed from base weight {@code baseKey} when it loads (see
   * {@link io.tfew.api.model.Parameters#frozenFromBase}); the same key again returns the same tensor.
   */
  @SuppressWarnings("unchecked")
  public <T extends TType> Operand<T> derive(String key, String baseKey, Shape shape, Class<T> type,
      BaseDerivation derivation) {
    Derived existing = derived.get(key);
    if (existing != null) {
      if (!Arrays.equals(existing.shape(), shape.asArray()) || existing.type() != type
          || !existing.baseKey().equals(baseKey)) {
        throw new TfewException("frozen tensor '" + key + "' declared twice differently: from " + existing.baseKey()
            + " as " + existing.type().getSimpleName() + Arrays.toString(existing.shape()) + ", then from " + baseKey
            + " as " + type.getSimpleName() + Arrays.toString(shape.asArray()));
      }
      return (Operand<T>) existing.variable();
    }
    requireBase(baseKey, "frozen tensor '" + key + "'");
    for (long d : shape.asArray()) {
      if (d < 1) {
        throw new TfewException("frozen tensor '" + key + "' has an empty or unknown dimension in shape " + shape);
      }
    }
    if (bufferKind(type) == null) {
      throw new TfewException("frozen tensor '" + key + "': type " + type.getSimpleName() + " is not supported; "
          + "use TUint8, TInt32, TInt64 or TFloat32");
    }
    Objects.requireNonNull(derivation, "derivation");
    Variable<T> v = frozen.withName(key).variable(shape, type);
    Placeholder<T> feed = frozen.withName(key + ".feed").placeholder(type, Placeholder.shape(shape));
    Assign<T> assign = frozen.withName(key + ".assign").assign(v, feed);
    derived.put(key, new Derived(key, baseKey, shapes.get(baseKey), shape.asArray(), type, v, feed, assign, derivation));
    return v;
  }

  /** Marks base weight {@code key} as never read in float32: it is not loaded (see {@link #requireReplacedUnread}). */
  public void replace(String key) {
    requireBase(key, "replaceBaseWeight");
    replaced.add(key);
  }

  /** Base weights a method replaced by derived tensors; they are never loaded. */
  public Set<String> replaced() {
    return Collections.unmodifiableSet(replaced);
  }

  /**
   * Fails if any op of the graph reads a replaced weight's variable (other than its own, never-run
   * assignment): that op would fail at run time on an unassigned variable, so say which one it is now.
   * A tied {@code lm_head} replaced while the embedding lookup still reads {@code shared.weight} is the
   * typical case.
   */
  public void requireReplacedUnread() {
    for (String key : replaced) {
      GraphOperation variable = (GraphOperation) variables.get(key).op();
      List<String> readers = new ArrayList<>();
      for (GraphOperation consumer : variable.consumers()) {
        if (!consumer.equals(assigns.get(key).op()) && !consumer.equals(gatedAssigns.get(key).op())) {
          readers.add(consumer.name());
        }
      }
      if (!readers.isEmpty()) {
        throw new TfewException("base weight '" + key + "' was replaced by a derived copy (replaceBaseWeight), "
            + "so its float32 values are not loaded, but the graph still reads it in " + readers
            + "; a method that replaces a weight must not use it anywhere, and a tied weight cannot be replaced at "
            + "one of its uses only");
      }
    }
  }

  public Map<String, long[]> shapes() {
    return shapes;
  }

  /**
   * Checks every expected tensor against the checkpoint (presence and shape) before reading any,
   * then streams each into its variable.
   *
   * @param progress called with the number of values loaded so far, for a progress bar: once when the
   *     loading run's executor is built (before any group is assigned), then after each group
   */
  public void load(Session session, Checkpoint checkpoint, LongConsumer progress) {
    Map<String, String> source = new LinkedHashMap<>();
    for (Map.Entry<String, long[]> e : shapes.entrySet()) {
      String key = sourceKey(checkpoint, e.getKey());
      source.put(e.getKey(), key);
      if (!checkpoint.tensorNames().contains(key)) {
        throw new TfewException(checkpoint.files() + ": tensor '" + e.getKey() + "' is missing, but "
            + configSource() + " implies it (shape " + Arrays.toString(e.getValue())
            + "); the checkpoint and its config.json do not belong together, or the download is incomplete");
      }
      TensorInfo info = checkpoint.info(key);
      if (!Arrays.equals(info.shape(), e.getValue())) {
        throw new TfewException(checkpoint.files() + ": tensor '" + key + "' has shape "
            + Arrays.toString(info.shape()) + " but " + configSource() + " implies "
            + Arrays.toString(e.getValue()) + "; use the config.json that came with these weights");
      }
    }
    long budget = groupBytes(shapes.values());
    long[] loaded = {0};
    // Groups of at most half the budget, so that one can be read while the previous one is assigned; a
    // weight larger than that is a group of its own, and is neither read nor assigned beside another.
    List<Group> groups = new ArrayList<>();
    List<String> group = new ArrayList<>();
    long bytes = 0;
    for (Map.Entry<String, long[]> e : shapes.entrySet()) {
      String key = e.getKey();
      if (derivesFrom(key) || replaced.contains(key)) {
        // Derivations need the values in Java; this is one weight's worth, released before the next.
        assign(session, key, checkpoint.readFloats(source.get(key)));
        loaded[0] += Arrays.stream(e.getValue()).reduce(1, (a, b) -> a * b);
        progress.accept(loaded[0]);
        continue;
      }
      long weightBytes = 4 * Arrays.stream(e.getValue()).reduce(1, (a, b) -> a * b);
      if (!group.isEmpty() && bytes + weightBytes > budget / 2) {
        groups.add(new Group(group, bytes));
        group = new ArrayList<>();
        bytes = 0;
      }
      group.add(key);
      bytes += weightBytes;
    }
    if (!group.isEmpty()) {
      groups.add(new Group(group, bytes));
    }
    ExecutorService readers = Executors.newFixedThreadPool(READ_THREADS, r -> {
      Thread t = new Thread(r, "tfew-weight-reader");
      t.setDaemon(true);
      return t;
    });
    try (FeedPool pool = new FeedPool();
        AssignBatch batch = new AssignBatch(session, Long.MAX_VALUE, pool::release)) {
      GroupRead next = groups.isEmpty() ? null
          : GroupRead.start(groups.get(0).keys(), checkpoint, source, pool, readers);
      if (next != null) {
        // The loading signature's first run builds its executor (TensorFlow prunes and optimises the whole
        // graph for it: 0.3-0.4 s of a t5-base load) unless prepareLoading built it already. A run that
        // assigns nothing builds it while the first group is still being read, instead of after.
        try {
          batch.prepare();
        } catch (RuntimeException e) {
          next.abandon();
          throw e;
        }
        progress.accept(loaded[0]);
      }
      for (int g = 0; g < groups.size(); g++) {
        GroupRead current = next;
        List<TFloat32> tensors = current.await();
        // The next group is read while this one is assigned: reading is a copy on the reader threads, the
        // assignment a copy on TensorFlow's (the reads were 0.15 s of a 1.05 s t5-base load, all of it waited for).
        next = null;
        boolean overlap = g + 1 < groups.size() && groups.get(g).bytes() + groups.get(g + 1).bytes() <= budget;
        if (overlap) {
          try {
            next = GroupRead.start(groups.get(g + 1).keys(), checkpoint, source, pool, readers);
          } catch (RuntimeException e) {
            tensors.forEach(Tensor::close);
            throw e;
          }
        }
        try {
          for (int i = 0; i < current.keys().size(); i++) {
            batch.add(current.keys().get(i), tensors.get(i));
            loaded[0] += tensors.get(i).size();
          }
          batch.flush();
        } catch (RuntimeException e) {
          if (next != null) {
            next.abandon();
          }
          throw e;
        }
        progress.accept(loaded[0]);
        if (!overlap && g + 1 < groups.size()) {
          next = GroupRead.start(groups.get(g + 1).keys(), checkpoint, source, pool, readers);
        }
      }
    } finally {
      readers.shutdownNow();
    }
  }

  /** Threads reading one group's weights from the file at once; the assignment itself runs on TensorFlow's. */
  private static final int READ_THREADS = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));

  /** Weights assigned in one run, and their float32 bytes. */
  private record Group(List<String> keys, long bytes) {}

  /**
   * One group's weights being read into fed tensors on the reader threads (several at once: each is a separate
   * stretch of the file).
   */
  private record GroupRead(List<String> keys, List<TFloat32> tensors, List<Future<?>> reads) {
    static GroupRead start(List<String> keys, Checkpoint checkpoint, Map<String, String> source, FeedPool pool,
        ExecutorService readers) {
      List<TFloat32> tensors = pool.take(keys.stream().map(k -> checkpoint.info(source.get(k)).shape()).toList());
      List<Future<?>> reads = new ArrayList<>();
      for (int i = 0; i < keys.size(); i++) {
        String name = source.get(keys.get(i));
        TFloat32 t = tensors.get(i);
        reads.add(readers.submit(() -> readInto(checkpoint, name, t)));
      }
      return new GroupRead(keys, tensors, reads);
    }

    /** The filled tensors, once every read is done; on a failed read, closes them and rethrows. */
    List<TFloat32> await() {
      try {
        awaitAll(reads);
      } catch (RuntimeException e) {
        tensors.forEach(Tensor::close);
        throw e;
      }
      return tensors;
    }

    /**
     * Frees the tensors once no read writes them any more (the load failed elsewhere). The reads are let
     * finish: a cancelled future reports done while its read may still be writing, and interrupting a read
     * would close the checkpoint's channel.
     */
    void abandon() {
      boolean interrupted = false;
      for (Future<?> r : reads) {
        while (true) {
          try {
            r.get();
            break;
          } catch (InterruptedException e) {
            interrupted = true;
          } catch (ExecutionException e) {
            break; // failed: the load's own failure is the one reported
          }
        }
      }
      tensors.forEach(Tensor::close);
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Waits for every read, then rethrows the first failure as it was thrown (a CheckpointException names the file). */
  private static void awaitAll(List<Future<?>> reads) {
    RuntimeException first = null;
    for (Future<?> f : reads) {
      try {
        f.get();
      } catch (ExecutionException e) {
        if (first == null) {
          first = e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        reads.forEach(r -> r.cancel(true));
        throw new TfewException("interrupted while loading weights");
      }
    }
    if (first != null) {
      throw first;
    }
  }

  /**
   * Fed tensors kept from one group to the next. T5 repeats a few shapes in every layer, so most of a group's
   * tensors can reuse the previous group's memory: that memory is already mapped, where a fresh tensor of tens
   * of megabytes is a new mapping whose pages the kernel must fault in and zero before the file is copied in.
   * Tensors no shape of the next group needs are closed before anything new is allocated, so the fed memory
   * held at once stays one group's.
   */
  private static final class FeedPool implements AutoCloseable {
    private final List<TFloat32> free = new ArrayList<>();

    void release(TFloat32 t) {
      free.add(t);
    }

    List<TFloat32> take(List<long[]> wanted) {
      TFloat32[] out = new TFloat32[wanted.size()];
      for (int i = 0; i < out.length; i++) {
        for (int j = 0; j < free.size(); j++) {
          if (Arrays.equals(free.get(j).shape().asArray(), wanted.get(i))) {
            out[i] = free.remove(j);
            break;
          }
        }
      }
      free.forEach(Tensor::close);
      free.clear();
      try {
        for (int i = 0; i < out.length; i++) {
          if (out[i] == null) {
            out[i] = TFloat32.tensorOf(Shape.of(wanted.get(i)));
          }
        }
      } catch (RuntimeException e) {
        Arrays.stream(out).filter(Objects::nonNull).forEach(Tensor::close);
        throw e;
      }
      return new ArrayList<>(Arrays.asList(out));
    }

    @Override
    public void close() {
      free.forEach(Tensor::close);
      free.clear();
    }
  }

  /**
   * Fills {@code t} from the checkpoint's tensor {@code name} by reading the file straight into the tensor's
   * native memory (see {@link TensorMemory}): no Java array holds the values on the way, so a weight costs one
   * copy from the page cache, and f16/bf16 checkpoints are widened as they are read.
   */
  private static void readInto(Checkpoint checkpoint, String name, TFloat32 t) {
    long bytes = t.numBytes();
    for (long offset = 0; offset < bytes; offset += TensorMemory.MAX_WINDOW_BYTES) {
      int length = (int) Math.min(TensorMemory.MAX_WINDOW_BYTES, bytes - offset);
      checkpoint.readFloat32(name, offset / Float.BYTES, TensorMemory.window(t, offset, length));
    }
  }

  /**
   * How many bytes of fed tensors one loading run assigns. Each {@code Session.run} with a new set of
   * feeds makes TensorFlow prune the whole graph and build an executor for it: one run per weight spent
   * nearly all of a t5-base load in that (a JFR profile of {@code bench load-child} put 938 of 1,000
   * samples in {@code TF_SessionRun} under {@code T5Weights.load}). Grouping cuts the runs to a few dozen,
   * and since every group's run has the same signature (see {@link AssignBatch#flush}) only the first one
   * builds an executor. The fed copies held at once (the group being assigned and the one being read) stay
   * within an eighth of the model, at most 256 MiB, and at least its largest weight.
   */
  static long groupBytes(java.util.Collection<long[]> shapes) {
    long total = 0;
    long largest = 0;
    for (long[] shape : shapes) {
      long bytes = 4 * Arrays.stream(shape).reduce(1, (a, b) -> a * b);
      total += bytes;
      largest = Math.max(largest, bytes);
    }
    return Math.max(largest, Math.min(256L << 20, total / 8));
  }

  /**
   * Assigns fed float32 weights to their variables, several per {@code Session.run} (see
   * {@link #groupBytes}); closing it assigns what is left. It owns the tensors added to it.
   */
  public final class AssignBatch implements AutoCloseable {
    private final Session session;
    private final long limitBytes;
    private final Consumer<TFloat32> release;
    private final List<String> keys = new ArrayList<>();
    private final List<TFloat32> tensors = new ArrayList<>();
    private long bytes;

    private AssignBatch(Session session, long limitBytes, Consumer<TFloat32> release) {
      this.session = session;
      this.limitBytes = limitBytes;
      this.release = release;
    }

    /**
     * Queues {@code values} (shaped as the weight) for weight {@code key}; the batch closes it. A weight
     * that methods derive tensors from, or replaced, goes through {@link T5Weights#assign} at once.
     */
    public void add(String key, TFloat32 values) {
      if (!shapes.containsKey(key) || derivesFrom(key) || replaced.contains(key)) {
        try (values) {
          float[] copy = new float[Math.toIntExact(values.size())];
          values.asRawTensor().data().asFloats().read(copy);
          assign(session, key, copy);
        }
        return;
      }
      keys.add(key);
      tensors.add(values);
      bytes += values.numBytes();
      if (bytes >= limitBytes) {
        flush();
      }
    }

    /**
     * Assigns everything queued, in one run. Every flush runs the same signature: each loadable weight's
     * gated assignment is a target, fed either its queued values or an empty tensor, on which the gate
     * (a Switch) leaves the assignment dead, so it does not run. TensorFlow builds an executor for a signature
     * once, and building one prunes and optimises the whole graph, which costs more the larger the graph: with
     * a signature per group, loading t5-base into its training graph took 5.5-10 s on a busy 2-core machine,
     * and 2.2-2.8 s with this one signature.
     */
    public void flush() {
      if (tensors.isEmpty()) {
        return;
      }
      run();
    }

    /** Runs the batch's signature with nothing queued, so that TensorFlow builds its executor now. */
    void prepare() {
      if (tensors.isEmpty()) {
        run();
      }
    }

    private void run() {
      Map<String, TFloat32> queued = new LinkedHashMap<>();
      for (int i = 0; i < keys.size(); i++) {
        queued.put(keys.get(i), tensors.get(i));
      }
      try (TFloat32 none = TFloat32.tensorOf(Shape.of(0))) {
        Session.Runner runner = session.runner();
        // Every weight's gate, including those assigned elsewhere (derived from, replaced: always fed empty),
        // so that the signature does not depend on what the methods did and can be built before they run.
        for (String key : shapes.keySet()) {
          runner.feed(staged.get(key), queued.getOrDefault(key, none)).addTarget(gatedAssigns.get(key));
        }
        try (Result r = runner.run()) {
          // assignment only; nothing fetched
        }
      } finally {
        tensors.forEach(release);
        tensors.clear();
        keys.clear();
        bytes = 0;
      }
    }

    @Override
    public void close() {
      flush();
    }
  }

  /**
   * Builds the executor of the run that {@link #load} assigns weights with, by running it once with nothing to
   * assign. TensorFlow builds an executor per run signature from a copy of the whole graph, so the cost grows
   * with the graph: call this right after {@link #declare}, while the graph holds the weights alone, and the
   * executor is kept, and reused by {@code load}, however much the graph grows after (the signature names
   * every weight, whichever a method later derives from or replaces).
   */
  public void prepareLoading(Session session) {
    try (AssignBatch batch = new AssignBatch(session, Long.MAX_VALUE, Tensor::close)) {
      batch.prepare();
    }
  }

  /** A batch of weight assignments for random or computed weights (benchmarks, tests); see {@link AssignBatch}. */
  public AssignBatch assignBatch(Session session) {
    return new AssignBatch(session, groupBytes(shapes.values()), Tensor::close);
  }

  /**
   * The checkpoint's name for a weight. Tied embeddings are one tensor under three names; Hugging
   * Face keeps {@code shared.weight}, but some conversions kept only an {@code embed_tokens} copy.
   */
  private static String sourceKey(Checkpoint checkpoint, String key) {
    if (key.equals("shared.weight") && !checkpoint.tensorNames().contains(key)) {
      for (String alias : new String[] {"encoder.embed_tokens.weight", "decoder.embed_tokens.weight"}) {
        if (checkpoint.tensorNames().contains(alias)) {
          return alias;
        }
      }
    }
    return key;
  }

  /**
   * Assigns a weight from {@code values} (used by the checkpoint load, tests and benchmarks that make
   * random models), and the frozen tensors derived from it; a replaced weight's own variable is skipped.
   */
  public void assign(Session session, String key, float[] values) {
    requireBase(key, "assign");
    List<Derived> fromKey = derived.values().stream().filter(d -> d.baseKey().equals(key)).toList();
    if (!fromKey.isEmpty()) {
      // One run for all tensors derived from this weight: every distinct run signature costs TensorFlow
      // a pruning pass over the whole graph.
      List<Tensor> tensors = new ArrayList<>();
      try {
        Session.Runner runner = session.runner();
        for (Derived d : fromKey) {
          Tensor t = derivedTensor(d, values);
          tensors.add(t);
          runner.feed(d.feed(), t).addTarget(d.assign());
        }
        try (Result r = runner.run()) {
          // assignment only
        }
      } finally {
        tensors.forEach(Tensor::close);
      }
    }
    if (replaced.contains(key)) {
      return;
    }
    try (TFloat32 t = TFloat32.tensorOf(Shape.of(shapes.get(key)))) {
      t.asRawTensor().data().asFloats().write(values);
      try (Result r = session.runner().feed(feeds.get(key), t).addTarget(assigns.get(key)).run()) {
        // assignment only
      }
    }
  }

  private boolean derivesFrom(String key) {
    return derived.values().stream().anyMatch(d -> d.baseKey().equals(key));
  }

  private void requireBase(String key, String who) {
    if (!shapes.containsKey(key)) {
      throw new TfewException(who + ": the model has no base weight '" + key + "'; base weights are named like "
          + shapes.keySet().stream().limit(3).toList() + (key.equals("lm_head.weight")
              ? " (a model with tied embeddings has no lm_head.weight: its output projection is shared.weight)"
              : ""));
    }
  }

  /** The derivation's result as a tensor of the declared type and shape; the caller closes it. */
  private static Tensor derivedTensor(Derived d, float[] base) {
    Buffer out = d.derivation().derive(base, d.baseShape().clone());
    long size = Arrays.stream(d.shape()).reduce(1, (a, b) -> a * b);
    Class<? extends Buffer> kind = bufferKind(d.type());
    if (out == null || !kind.isInstance(out)) {
      throw new TfewException("frozen tensor '" + d.key() + "' is " + d.type().getSimpleName() + ", so its derivation "
          + "must return a " + kind.getSimpleName() + ", not " + (out == null ? "null" : out.getClass().getSimpleName()));
    }
    if (out.remaining() != size) {
      throw new TfewException("frozen tensor '" + d.key() + "' has shape " + Arrays.toString(d.shape()) + " (" + size
          + " values) but its derivation from '" + d.baseKey() + "' returned " + out.remaining());
    }
    Tensor t = Tensor.of(d.type(), Shape.of(d.shape()));
    try {
      ByteDataBuffer raw = t.asRawTensor().data();
      if (out instanceof ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.duplicate().get(a);
        raw.write(a);
      } else if (out instanceof FloatBuffer f) {
        float[] a = new float[f.remaining()];
        f.duplicate().get(a);
        raw.asFloats().write(a);
      } else if (out instanceof IntBuffer i) {
        int[] a = new int[i.remaining()];
        i.duplicate().get(a);
        raw.asInts().write(a);
      } else {
        long[] a = new long[out.remaining()];
        ((LongBuffer) out).duplicate().get(a);
        raw.asLongs().write(a);
      }
    } catch (RuntimeException e) {
      t.close();
      throw e;
    }
    return t;
  }

  /** The buffer a derivation returns for a tensor type, or null for an unsupported type. */
  private static Class<? extends Buffer> bufferKind(Class<? extends TType> type) {
    if (type == TUint8.class) {
      return ByteBuffer.class;
    }
    if (type == TFloat32.class) {
      return FloatBuffer.class;
    }
    if (type == TInt32.class) {
      return IntBuffer.class;
    }
    if (type == TInt64.class) {
      return LongBuffer.class;
    }
    return null;
  }

  private String configSource() {
    return "config.json";
  }
}
