package io.tfew.core.model;

import io.tfew.api.model.AttentionSite;
import io.tfew.api.model.EmbeddedInput;
import io.tfew.api.model.EmbeddingSite;
import io.tfew.api.model.FfnSite;
import io.tfew.api.model.KeyValue;
import io.tfew.api.model.LinearSite;
import io.tfew.api.model.SiteDescriptor;
import io.tfew.api.model.Stack;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.linalg.MatMul;
import org.tensorflow.op.math.Mean;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * Hugging Face's T5 as a TensorFlow graph: the encoder and decoder stacks, built op by op so that PEFT
 * methods can rewrite every linear, the attention keys and values, the FFN inner activation and the
 * input embeddings (see {@link io.tfew.api.model.ModelRewriter}).
 *
 * <p>Semantics follow {@code transformers.models.t5.modeling_t5}: RMS layer norm without mean or bias,
 * attention scores without 1/sqrt(d) scaling, one relative position bias per stack owned by block 0
 * and reused by every layer (bidirectional in the encoder, causal in the decoder), none in
 * cross-attention, and for tied embeddings the decoder output scaled by d_model^-0.5 before the
 * output projection. Dropout is only built when {@code training} is set.
 *
 * <p>Tensors are {@code [rows, length, width]}. Rows of the decoder need not be rows of the encoder:
 * in rank classification each example's encoder output serves all its answer choices, so
 * {@link #decode} takes the encoder row of each decoder row, and projects cross-attention keys and
 * values once per example before spreading them over the choices.
 */
public final class T5Model {
  // Added to the scores of masked positions. HF adds finfo(float32).min; any value this far below the
  // other scores gives the same softmax in float32, and this one cannot overflow to -inf when summed.
  private static final float MASKED = -1e9f;

  private final Ops tf;
  private final T5Config config;
  private final T5Weights weights;
  private final TrainableParameters parameters;
  private final SiteRewrites rewrites;
  private final boolean training;
  private final int taskCount;
  private final Operand<TInt64> dropoutSeed;
  private final GraphShapes shapes;
  private int dropoutCalls;

  /** An encoder output with the mask that goes with it (a soft prompt may have extended both). */
  public record Encoded(Operand<TFloat32> hidden, Operand<TFloat32> mask, Operand<TInt32> taskIds) {}

  public T5Model(Ops tf, T5Config config, T5Weights weights, TrainableParameters parameters,
      SiteRewrites rewrites, boolean training, int taskCount, Operand<TInt64> dropoutSeed) {
    this.tf = tf;
    this.config = config;
    this.weights = weights;
    this.parameters = parameters;
    this.rewrites = rewrites;
    this.training = training;
    this.taskCount = taskCount;
    if (training && dropoutSeed == null) {
      throw new IllegalArgumentException("a training graph needs a dropout seed operand");
    }
    this.dropoutSeed = dropoutSeed;
    this.shapes = new GraphShapes(tf);
  }

  public T5Config config() {
    return config;
  }

  /**
   * Runs the encoder.
   *
   * @param inputIds {@code [B, S]} token ids
   * @param mask {@code [B, S]} 1 for tokens, 0 for padding
   * @param taskIds {@code [B]} task index of each example
   */
  public Encoded encode(Operand<TInt32> inputIds, Operand<TFloat32> mask, Operand<TInt32> taskIds) {
    Ops s = tf.withSubScope("encoder");
    ModelSiteContext ctx = context(s, taskIds);
    EmbeddedInput in = rewrites.inputEmbeddings(
        new EmbeddingSite("encoder.embed_tokens", Stack.ENCODER, ctx.scoped("encoder.embed_tokens")),
        new EmbeddedInput(embed(s, inputIds), mask));
    Operand<TFloat32> x = dropout(s, in.embeddings());
    Operand<TInt32> length = shapes.dim(x, 1);
    Operand<TFloat32> bias = positionBias(s, Stack.ENCODER, length, length, true);
    for (int i = 0; i < config.numLayers(); i++) {
      String b = "encoder.block." + i + ".layer.";
      Ops bs = s.withSubScope("block" + i);
      Operand<TFloat32> h = rmsNorm(bs, x, b + "0.layer_norm.weight");
      Operand<TFloat32> a = attention(bs, b + "0.SelfAttention", Stack.ENCODER, i, false, h, h, ctx, ctx,
          null, in.mask(), bias);
      x = tf.math.add(x, dropout(bs, a));
      h = rmsNorm(bs, x, b + "1.layer_norm.weight");
      x = tf.math.add(x, dropout(bs, feedForward(bs, b + "1.DenseReluDense", Stack.ENCODER, i, h, ctx)));
    }
    x = dropout(s, rmsNorm(s, x, "encoder.final_layer_norm.weight"));
    return new Encoded(x, in.mask(), taskIds);
  }

  /**
   * Runs the decoder and the output projection.
   *
   * @param decoderInputIds {@code [R, T]}: the targets shifted right behind the start token
   * @param encoded the encoder output
   * @param rowExample {@code [R]} the encoder row each decoder row attends to; {@code null} when the
   *     rows are the encoder's own
   * @return logits {@code [R, T, vocab]}
   */
  public Operand<TFloat32> decode(Operand<TInt32> decoderInputIds, Encoded encoded, Operand<TInt32> rowExample) {
    Ops s = tf.withSubScope("decoder");
    Operand<TInt32> rowTask = rowExample == null ? encoded.taskIds()
        : tf.gather(encoded.taskIds(), rowExample, tf.constant(0));
    ModelSiteContext ctx = context(s, rowTask);
    ModelSiteContext encoderRows = context(s, encoded.taskIds());
    Operand<TFloat32> embedded = embed(s, decoderInputIds);
    Operand<TFloat32> ones = tf.onesLike(tf.dtypes.cast(decoderInputIds, TFloat32.class));
    EmbeddedInput in = rewrites.inputEmbeddings(
        new EmbeddingSite("decoder.embed_tokens", Stack.DECODER, ctx.scoped("decoder.embed_tokens")),
        new EmbeddedInput(embedded, ones));
    Operand<TFloat32> x = dropout(s, in.embeddings());
    Operand<TInt32> length = shapes.dim(x, 1);
    Operand<TFloat32> bias = tf.math.add(positionBias(s, Stack.DECODER, length, length, false),
        causalMask(s, length));
    for (int i = 0; i < config.numDecoderLayers(); i++) {
      String b = "decoder.block." + i + ".layer.";
      Ops bs = s.withSubScope("block" + i);
      Operand<TFloat32> h = rmsNorm(bs, x, b + "0.layer_norm.weight");
      x = tf.math.add(x, dropout(bs, attention(bs, b + "0.SelfAttention", Stack.DECODER, i, false, h, h,
          ctx, ctx, null, in.mask(), bias)));
      h = rmsNorm(bs, x, b + "1.layer_norm.weight");
      x = tf.math.add(x, dropout(bs, attention(bs, b + "1.EncDecAttention", Stack.DECODER, i, true, h,
          encoded.hidden(), ctx, encoderRows, rowExample, encoded.mask(), null)));
      h = rmsNorm(bs, x, b + "2.layer_norm.weight");
      x = tf.math.add(x, dropout(bs, feedForward(bs, b + "2.DenseReluDense", Stack.DECODER, i, h, ctx)));
    }
    x = dropout(s, rmsNorm(s, x, "decoder.final_layer_norm.weight"));
    if (in.embeddings() != embedded) {
      // A decoder soft prompt added positions in front; the outputs that predict targets are the last T.
      Operand<TInt32> extra = tf.math.sub(length, shapes.dim(decoderInputIds, 1));
      x = tf.slice(x, shapes.shape(0, extra, 0), shapes.shape(-1, -1, -1));
    }
    return lmHead(s, x, ctx);
  }

  private Operand<TFloat32> lmHead(Ops s, Operand<TFloat32> x, ModelSiteContext ctx) {
    if (config.tieWordEmbeddings()) {
      // HF rescales before the tied projection: Mesh TensorFlow's convention for shared embeddings.
      x = tf.math.mul(x, tf.constant((float) Math.pow(config.dModel(), -0.5)));
      return linear(s, "lm_head", "shared.weight", null, -1, x, ctx);
    }
    return linear(s, "lm_head", "lm_head.weight", null, -1, x, ctx);
  }

  /**
   * Every extension site of a model of {@code config}, in the order {@link #encode} and {@link #decode}
   * visit them, as {@link io.tfew.api.model.GraphContext#sites()} hands them to methods before any hook
   * runs. It mirrors the traversal above; a test checks the two against each other.
   */
  public static List<SiteDescriptor> sites(T5Config config) {
    java.util.Map<String, long[]> shapes = T5Weights.expectedShapes(config);
    List<SiteDescriptor> sites = new java.util.ArrayList<>();
    for (Stack stack : Stack.values()) {
      String p = stack.prefix();
      sites.add(new SiteDescriptor(p + ".embed_tokens", SiteDescriptor.Kind.INPUT_EMBEDDINGS, stack, -1,
          config.dModel(), config.dModel()));
      int layers = stack == Stack.ENCODER ? config.numLayers() : config.numDecoderLayers();
      for (int i = 0; i < layers; i++) {
        String b = p + ".block." + i + ".layer.";
        int sub = 0;
        attentionSites(sites, shapes, config, b + (sub++) + ".SelfAttention", stack, i);
        if (stack == Stack.DECODER) {
          attentionSites(sites, shapes, config, b + (sub++) + ".EncDecAttention", stack, i);
        }
        String ffn = b + sub + ".DenseReluDense";
        if (config.gatedFfn()) {
          linearSite(sites, shapes, ffn + ".wi_0", ffn + ".wi_0.weight", stack, i);
          linearSite(sites, shapes, ffn + ".wi_1", ffn + ".wi_1.weight", stack, i);
        } else {
          linearSite(sites, shapes, ffn + ".wi", ffn + ".wi.weight", stack, i);
        }
        sites.add(new SiteDescriptor(ffn, SiteDescriptor.Kind.FFN_ACTIVATION, stack, i, config.dFf(), config.dFf()));
        linearSite(sites, shapes, ffn + ".wo", ffn + ".wo.weight", stack, i);
      }
    }
    linearSite(sites, shapes, "lm_head", config.tieWordEmbeddings() ? "shared.weight" : "lm_head.weight", null, -1);
    return List.copyOf(sites);
  }

  private static void attentionSites(List<SiteDescriptor> sites, java.util.Map<String, long[]> shapes,
      T5Config config, String path, Stack stack, int layer) {
    for (String proj : List.of("q", "k", "v")) {
      linearSite(sites, shapes, path + "." + proj, path + "." + proj + ".weight", stack, layer);
    }
    sites.add(new SiteDescriptor(path, SiteDescriptor.Kind.KEY_VALUE, stack, layer, config.innerDim(),
        config.innerDim()));
    linearSite(sites, shapes, path + ".o", path + ".o.weight", stack, layer);
  }

  private static void linearSite(List<SiteDescriptor> sites, java.util.Map<String, long[]> shapes, String path,
      String weightKey, Stack stack, int layer) {
    long[] shape = shapes.get(weightKey);
    sites.add(new SiteDescriptor(path, SiteDescriptor.Kind.LINEAR, stack, layer, (int) shape[1], (int) shape[0]));
  }

  private ModelSiteContext context(Ops s, Operand<TInt32> rowTask) {
    return new ModelSiteContext(s, parameters, config.dims(), rowTask, taskCount, training, this::dropout);
  }

  private Operand<TFloat32> embed(Ops s, Operand<TInt32> ids) {
    return s.gather(weights.get("shared.weight"), ids, tf.constant(0));
  }

  private Operand<TFloat32> rmsNorm(Ops s, Operand<TFloat32> x, String weightKey) {
    Operand<TFloat32> variance = s.math.mean(s.math.square(x), tf.constant(-1), Mean.keepDims(true));
    Operand<TFloat32> normed = s.math.mul(x,
        s.math.rsqrt(s.math.add(variance, tf.constant((float) config.layerNormEpsilon()))));
    return s.math.mul(normed, weights.get(weightKey));
  }

  /** {@code y = x W^T} at the site {@code path}, with the active methods' rewrites. */
  private Operand<TFloat32> linear(Ops s, String path, String weightKey, Stack stack, int layer,
      Operand<TFloat32> x, ModelSiteContext ctx) {
    long[] shape = weights.shapes().get(weightKey);
    int out = (int) shape[0];
    int in = (int) shape[1];
    LinearSite site = new LinearSite(path, stack, layer, in, out, ctx.scoped(path), x);
    Operand<TFloat32> w = rewrites.linearWeight(site, weights.get(weightKey));
    Operand<TFloat32> flat = s.reshape(x, tf.constant(new int[] {-1, in}));
    Operand<TFloat32> y = s.linalg.matMul(flat, w, MatMul.transposeB(true));
    y = s.reshape(y, shapes.shape(shapes.dim(x, 0), shapes.dim(x, 1), out));
    return rewrites.linearOutput(site, x, y);
  }

  private Operand<TFloat32> feedForward(Ops s, String path, Stack stack, int layer, Operand<TFloat32> x,
      ModelSiteContext ctx) {
    Operand<TFloat32> h;
    if (config.gatedFfn()) {
      Operand<TFloat32> gate = config.activation().apply(s,
          linear(s, path + ".wi_0", path + ".wi_0.weight", stack, layer, x, ctx));
      h = s.math.mul(gate, linear(s, path + ".wi_1", path + ".wi_1.weight", stack, layer, x, ctx));
    } else {
      h = config.activation().apply(s, linear(s, path + ".wi", path + ".wi.weight", stack, layer, x, ctx));
    }
    h = dropout(s, h);
    h = rewrites.ffnActivation(new FfnSite(path, stack, layer, config.dFf(), ctx.scoped(path)), h);
    return linear(s, path + ".wo", path + ".wo.weight", stack, layer, h, ctx);
  }

  /**
   * One attention layer.
   *
   * @param kvSource the states keys and values are projected from: {@code hidden} itself for
   *     self-attention, the encoder output for cross-attention
   * @param kvRows the rows the key/value projections run on (encoder rows for cross-attention)
   * @param kvGather maps each query row to its key/value row, or {@code null} when they coincide
   * @param keyMask {@code [kvRows, Lk]} 1 where a key may be attended to
   * @param bias {@code [1, H, Lq, Lk]} position bias (and causal mask), or {@code null}
   */
  private Operand<TFloat32> attention(Ops s, String path, Stack stack, int layer, boolean cross,
      Operand<TFloat32> hidden, Operand<TFloat32> kvSource, ModelSiteContext queryRows,
      ModelSiteContext kvRows, Operand<TInt32> kvGather, Operand<TFloat32> keyMask, Operand<TFloat32> bias) {
    Operand<TFloat32> q = heads(s, linear(s, path + ".q", path + ".q.weight", stack, layer, hidden, queryRows));
    Operand<TFloat32> k = heads(s, linear(s, path + ".k", path + ".k.weight", stack, layer, kvSource, kvRows));
    Operand<TFloat32> v = heads(s, linear(s, path + ".v", path + ".v.weight", stack, layer, kvSource, kvRows));
    Operand<TFloat32> mask = keyMask;
    if (kvGather != null) {
      k = s.gather(k, kvGather, tf.constant(0));
      v = s.gather(v, kvGather, tf.constant(0));
      mask = s.gather(keyMask, kvGather, tf.constant(0));
    }
    KeyValue kv = rewrites.keyValue(new AttentionSite(path, stack, layer, cross, queryRows.scoped(path)),
        new KeyValue(k, v, mask));
    // Einsum rather than tf.train.batchMatMul: that wrapper builds BatchMatMulV3, which TF 2.18's oneDNN
    // pass leaves on Eigen (forward and gradient); Einsum runs as _MklEinsum both ways. At batch 8 x 256
    // the attention products were 15% of the step's kernel time (bench train --profile), and an Einsum
    // forward + backward of encoder self-attention's shape took 0.68x the time of BatchMatMulV3's.
    Operand<TFloat32> scores = s.linalg.einsum(List.of(q, kv.keys()), "bhqd,bhkd->bhqk");
    if (bias != null) {
      Operand<TFloat32> b = bias;
      if (kv.keys() != k) {
        // Keys added in front (prefixes) carry no relative position: pad the bias with zeros there.
        Operand<TInt32> extra = s.math.sub(shapes.dim(kv.keys(), 2), shapes.dim(k, 2));
        Operand<TInt32> zero = tf.constant(0);
        Operand<TInt32> paddings = s.reshape(s.stack(List.of(zero, zero, zero, zero, zero, zero, extra, zero)),
            tf.constant(new int[] {4, 2}));
        b = s.pad(b, paddings, tf.constant(0f));
      }
      scores = s.math.add(scores, b);
    }
    scores = s.math.add(scores, maskBias(s, kv.mask()));
    Operand<TFloat32> weights = dropout(s, s.nn.softmax(scores));
    Operand<TFloat32> context = s.linalg.einsum(List.of(weights, kv.values()), "bhqk,bhkd->bhqd");
    Operand<TFloat32> merged = s.reshape(s.linalg.transpose(context, tf.constant(new int[] {0, 2, 1, 3})),
        shapes.shape(shapes.dim(hidden, 0), shapes.dim(hidden, 1), config.innerDim()));
    return linear(s, path + ".o", path + ".o.weight", stack, layer, merged, queryRows);
  }

  /** {@code [R, L, H*d_kv]} to {@code [R, H, L, d_kv]}. */
  private Operand<TFloat32> heads(Ops s, Operand<TFloat32> x) {
    Operand<TFloat32> split = s.reshape(x,
        shapes.shape(shapes.dim(x, 0), shapes.dim(x, 1), config.numHeads(), config.dKv()));
    return s.linalg.transpose(split, tf.constant(new int[] {0, 2, 1, 3}));
  }

  /** {@code [R, L]} of ones and zeros to an additive {@code [R, 1, 1, L]}. */
  private Operand<TFloat32> maskBias(Ops s, Operand<TFloat32> mask) {
    Operand<TFloat32> blocked = s.math.mul(s.math.sub(tf.constant(1f), mask), tf.constant(MASKED));
    return s.expandDims(s.expandDims(blocked, tf.constant(1)), tf.constant(1));
  }

  private Operand<TFloat32> causalMask(Ops s, Operand<TInt32> length) {
    Operand<TInt32> pos = s.range(tf.constant(0), length, tf.constant(1));
    Operand<TBool> future = s.math.greater(s.expandDims(pos, tf.constant(0)), s.expandDims(pos, tf.constant(1)));
    Operand<TFloat32> m = s.select(future, s.fill(shapes.shape(length, length), tf.constant(MASKED)),
        s.fill(shapes.shape(length, length), tf.constant(0f)));
    return s.expandDims(s.expandDims(m, tf.constant(0)), tf.constant(0));
  }

  /**
   * T5's bucketed relative position bias {@code [1, H, Lq, Lk]} from the stack's block-0 table. The
   * bucket arithmetic mirrors HF's {@code _relative_position_bucket} op for op in float32 so that
   * positions on a bucket boundary land in the same bucket.
   */
  private Operand<TFloat32> positionBias(Ops s, Stack stack, Operand<TInt32> queryLength,
      Operand<TInt32> keyLength, boolean bidirectional) {
    Operand<TInt32> ctxPos = s.expandDims(s.range(tf.constant(0), queryLength, tf.constant(1)), tf.constant(1));
    Operand<TInt32> memPos = s.expandDims(s.range(tf.constant(0), keyLength, tf.constant(1)), tf.constant(0));
    Operand<TInt32> relative = s.math.sub(memPos, ctxPos);
    int numBuckets = config.relativeAttentionNumBuckets();
    Operand<TInt32> buckets;
    Operand<TInt32> distance;
    if (bidirectional) {
      numBuckets /= 2;
      buckets = s.math.mul(s.dtypes.cast(s.math.greater(relative, tf.constant(0)), TInt32.class),
          tf.constant(numBuckets));
      distance = s.math.abs(relative);
    } else {
      buckets = s.zerosLike(relative);
      distance = s.math.neg(s.math.minimum(relative, tf.constant(0)));
    }
    int maxExact = numBuckets / 2;
    Operand<TBool> small = s.math.less(distance, tf.constant(maxExact));
    Operand<TFloat32> ratio = s.math.div(s.dtypes.cast(distance, TFloat32.class), tf.constant((float) maxExact));
    Operand<TFloat32> scaled = s.math.mul(
        s.math.div(s.math.log(ratio),
            tf.constant((float) Math.log((double) config.relativeAttentionMaxDistance() / maxExact))),
        tf.constant((float) (numBuckets - maxExact)));
    // For distance 0, log gives -inf and the cast is undefined, but `small` selects the exact branch.
    Operand<TInt32> large = s.math.minimum(
        s.math.add(tf.constant(maxExact), s.dtypes.cast(scaled, TInt32.class)), tf.constant(numBuckets - 1));
    Operand<TInt32> bucket = s.math.add(buckets, s.select(small, distance, large));
    String table = stack.prefix() + ".block.0.layer.0.SelfAttention.relative_attention_bias.weight";
    Operand<TFloat32> values = s.gather(weights.get(table), bucket, tf.constant(0)); // [Lq, Lk, H]
    return s.expandDims(s.linalg.transpose(values, tf.constant(new int[] {2, 0, 1})), tf.constant(0));
  }

  /** Dropout as rewrites get it through their site context. */
  @FunctionalInterface
  interface Dropout {
    Operand<TFloat32> apply(Ops s, Operand<TFloat32> x, double rate);
  }

  private Operand<TFloat32> dropout(Ops s, Operand<TFloat32> x) {
    return dropout(s, x, config.dropoutRate());
  }

  private Operand<TFloat32> dropout(Ops s, Operand<TFloat32> x, double rate) {
    if (!training || rate == 0) {
      return x;
    }
    // Stateless: the mask is a function of the fed seed pair and the call site alone, so a resumed
    // run draws exactly the masks the uninterrupted run would have drawn at the same step.
    Operand<TInt64> seed = s.math.add(dropoutSeed, tf.constant(new long[] {0L, ++dropoutCalls * 7919L}));
    return StatelessDropout.apply(s, x, rate, seed);
  }
}
