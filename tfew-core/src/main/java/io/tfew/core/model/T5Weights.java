package io.tfew.core.model;

import io.tfew.api.TfewException;
import io.tfew.core.checkpoint.Checkpoint;
import io.tfew.core.checkpoint.TensorInfo;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongConsumer;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.FloatDataBuffer;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Assign;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * The frozen base weights of a T5 model as graph variables named by their Hugging Face keys, and
 * their loading from a checkpoint.
 *
 * <p>Weights are variables assigned from fed tensors, never constants: a GraphDef is capped at 2 GB.
 * Loading streams one tensor at a time from the file into a native tensor and assigns it, so the
 * peak memory is the variables plus the largest single weight.
 */
public final class T5Weights {
  private final Map<String, long[]> shapes;
  private final Map<String, Variable<TFloat32>> variables = new LinkedHashMap<>();
  private final Map<String, Placeholder<TFloat32>> feeds = new LinkedHashMap<>();
  private final Map<String, Assign<TFloat32>> assigns = new LinkedHashMap<>();

  private T5Weights(Ops tf, T5Config config) {
    this.shapes = expectedShapes(config);
    Ops scope = tf.withSubScope("base");
    for (Map.Entry<String, long[]> e : shapes.entrySet()) {
      Shape shape = Shape.of(e.getValue());
      Variable<TFloat32> v = scope.withName(e.getKey()).variable(shape, TFloat32.class);
      Placeholder<TFloat32> feed = scope.withName(e.getKey() + ".feed")
          .placeholder(TFloat32.class, Placeholder.shape(shape));
      variables.put(e.getKey(), v);
      feeds.put(e.getKey(), feed);
      assigns.put(e.getKey(), scope.withName(e.getKey() + ".assign").assign(v, feed));
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

  public Map<String, long[]> shapes() {
    return shapes;
  }

  /**
   * Checks every expected tensor against the checkpoint (presence and shape) before reading any,
   * then streams each into its variable.
   *
   * @param progress called with the number of values loaded so far, for a progress bar
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
    long loaded = 0;
    for (Map.Entry<String, long[]> e : shapes.entrySet()) {
      String key = e.getKey();
      try (TFloat32 t = TFloat32.tensorOf(Shape.of(e.getValue()))) {
        FloatDataBuffer buffer = t.asRawTensor().data().asFloats();
        checkpoint.readFloats(source.get(key),
            (offset, values, count) -> buffer.offset(offset).write(values, 0, count));
        try (Result r = session.runner().feed(feeds.get(key), t).addTarget(assigns.get(key)).run()) {
          // assignment only; nothing fetched
        }
        loaded += t.size();
      }
      progress.accept(loaded);
    }
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

  /** Assigns every weight from {@code values} (used by tests and benchmarks that make random models). */
  public void assign(Session session, String key, float[] values) {
    try (TFloat32 t = TFloat32.tensorOf(Shape.of(shapes.get(key)))) {
      t.asRawTensor().data().asFloats().write(values);
      try (Result r = session.runner().feed(feeds.get(key), t).addTarget(assigns.get(key)).run()) {
        // assignment only
      }
    }
  }

  private String configSource() {
    return "config.json";
  }
}
