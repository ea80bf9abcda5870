package io.tfew.peft.baselines;

import io.tfew.api.model.AttentionSite;
import io.tfew.api.model.KeyValue;
import io.tfew.api.model.ModelDims;
import io.tfew.api.model.ParameterInit;
import io.tfew.api.model.Parameters;
import io.tfew.api.model.SiteContext;
import io.tfew.api.model.Stack;
import io.tfew.api.peft.PeftMethod;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.linalg.MatMul;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Prefix tuning (Li and Liang 2021) as t-few runs it: {@code n} trained key and value vectors in front
 * of the keys and values of every attention layer: encoder self-attention, decoder self-attention and
 * decoder cross-attention, each a group of layers.
 *
 * <p>Parameters, per group {@code g} in {@code prefix.encoder.self}, {@code prefix.decoder.self},
 * {@code prefix.decoder.cross}, with {@code W = num_layers * 2 * heads * d_kv}:
 * <ul>
 *   <li>{@code reparameterize: false}: {@code g.prefix_embeddings [n, W]}, the prefixes themselves, drawn
 *       from N(0, 1) as t-few's {@code direct} parameterisation. Row layout is PEFT's
 *       {@code prompt_embeddings}: layer-major, keys then values, heads then {@code d_kv} (element
 *       {@code (2 layer + kv) * inner + head * d_kv + e}).
 *   <li>{@code reparameterize: true} (t-few's {@code mlp-512}): {@code g.embedding [n, d_model]},
 *       {@code g.mlp.0.weight [h, d_model]}, {@code g.mlp.0.bias [h]}, {@code g.mlp.2.weight [W, h]},
 *       {@code g.mlp.2.bias [W]}; the prefixes are {@code tanh(E W0^T + b0) W2^T + b2}. t-few shares the
 *       embedding and first layer across a group and gives every layer its own output layer; stacking
 *       those output layers is one {@code [W, h]} matrix, so the two are the same function. PyTorch's
 *       default inits (N(0,1) embedding, U(+-1/sqrt(fan_in)) linears).
 * </ul>
 *
 * <p>Saving: core saves declared parameters, so with the MLP the adapter file holds the MLP (training can
 * resume from it). {@link PrefixExport} computes the final prefixes from those values; loaded into a
 * {@code reparameterize: false} model they give the same scores, which is how the MLP is dropped for
 * inference (as PEFT does at save time).
 *
 * <p>Differences from t-few, documented rather than hidden: t-few gives prefix keys relative positions
 * (the prefix sits before the sequence, {@code compute_bias(len + n, len + n)[:, :, -len:, :]}), while core
 * pads the position bias with zeros for added keys, so here prefix positions carry no position
 * information (as in Li and Liang and PEFT). t-few also initialised the prefixes by first fitting them to
 * the keys and values of its init text; here they start random. No dropout is applied to prefixes, as in
 * t-few.
 */
public final class PrefixTuningMethod implements PeftMethod {
  private final PrefixTuningConfig config;

  public PrefixTuningMethod(PrefixTuningConfig config) {
    this.config = config;
  }

  public PrefixTuningConfig config() {
    return config;
  }

  /** The three attention groups' key prefixes, in declaration order. */
  public static final List<String> GROUPS = List.of("prefix.encoder.self", "prefix.decoder.self",
      "prefix.decoder.cross");

  /** The group of an attention site. */
  static String group(Stack stack, boolean cross) {
    return stack == Stack.ENCODER ? GROUPS.get(0) : cross ? GROUPS.get(2) : GROUPS.get(1);
  }

  /** The layer count of a group on a model of these sizes. */
  static int layers(ModelDims dims, String group) {
    return group.startsWith("prefix.encoder") ? dims.numEncoderLayers() : dims.numDecoderLayers();
  }

  @Override
  public KeyValue keyValue(AttentionSite site, KeyValue kv) {
    SiteContext ctx = site.context();
    Ops tf = ctx.tf();
    ModelDims dims = ctx.dims();
    int n = config.numVirtualTokens();
    int inner = dims.numHeads() * dims.dKv();
    int width = 2 * inner;
    String g = group(site.stack(), site.crossAttention());
    int all = layers(dims, g) * width;
    Parameters params = ctx.parameters();

    Operand<TFloat32> prefix; // [n, 2 * inner]: this layer's keys then values
    if (!config.reparameterize()) {
      Operand<TFloat32> p = params.trainable(g + ".prefix_embeddings", Shape.of(n, all), ParameterInit.normal(1.0));
      prefix = tf.slice(p, tf.constant(new int[] {0, site.layer() * width}), tf.constant(new int[] {n, width}));
    } else {
      int h = config.encoderHiddenSize();
      double b0 = 1 / Math.sqrt(dims.dModel());
      double b2 = 1 / Math.sqrt(h);
      Operand<TFloat32> e = params.trainable(g + ".embedding", Shape.of(n, dims.dModel()), ParameterInit.normal(1.0));
      Operand<TFloat32> w0 = params.trainable(g + ".mlp.0.weight", Shape.of(h, dims.dModel()),
          ParameterInit.uniform(-b0, b0));
      Operand<TFloat32> c0 = params.trainable(g + ".mlp.0.bias", Shape.of(h), ParameterInit.uniform(-b0, b0));
      Operand<TFloat32> w2 = params.trainable(g + ".mlp.2.weight", Shape.of(all, h), ParameterInit.uniform(-b2, b2));
      Operand<TFloat32> c2 = params.trainable(g + ".mlp.2.bias", Shape.of(all), ParameterInit.uniform(-b2, b2));
      Operand<TFloat32> hidden = tf.math.tanh(tf.math.add(tf.linalg.matMul(e, w0, MatMul.transposeB(true)), c0));
      // Only this layer's rows of the output layer: the same values as slicing the full output.
      Operand<TFloat32> w2l = tf.slice(w2, tf.constant(new int[] {site.layer() * width, 0}),
          tf.constant(new int[] {width, h}));
      Operand<TFloat32> c2l = tf.slice(c2, tf.constant(new int[] {site.layer() * width}), tf.constant(new int[] {width}));
      prefix = tf.math.add(tf.linalg.matMul(hidden, w2l, MatMul.transposeB(true)), c2l);
    }
    Operand<TInt32> rows = tf.slice(tf.shape(kv.keys()), tf.constant(new int[] {0}), tf.constant(new int[] {1}));
    Operand<TInt32> tile = tf.concat(List.of(rows, tf.constant(new int[] {1, 1, 1})), tf.constant(0));
    Operand<TFloat32> keys = tf.tile(heads(tf, tf.slice(prefix, tf.constant(new int[] {0, 0}),
        tf.constant(new int[] {n, inner})), n, dims), tile);
    Operand<TFloat32> values = tf.tile(heads(tf, tf.slice(prefix, tf.constant(new int[] {0, inner}),
        tf.constant(new int[] {n, inner})), n, dims), tile);
    Operand<TFloat32> ones = tf.fill(tf.concat(List.of(rows, tf.constant(new int[] {n})), tf.constant(0)),
        tf.constant(1f));
    return new KeyValue(tf.concat(List.of(keys, kv.keys()), tf.constant(2)),
        tf.concat(List.of(values, kv.values()), tf.constant(2)),
        tf.concat(List.of(ones, kv.mask()), tf.constant(1)));
  }

  /**
   * There is no Hugging Face PEFT form of these prefixes (hf-peft-format.md section 3.7, and transformers'
   * T5Attention): PEFT's PREFIX_TUNING on T5 reaches the decoder self-attention only (the encoder gets no
   * past keys and the cross-attention cache is discarded); it takes {@code num_layers} from the encoder and
   * so gives decoder layers {@code i} and {@code i + L/2} one shared slice; and T5 gives past keys relative
   * positions before the sequence, while core appends prefix keys with no position bias. A PEFT file would
   * therefore score differently from this adapter, and {@code tfew adapter export} refuses rather than write it.
   */
  @Override
  public java.util.Optional<io.tfew.api.peft.PeftExport> peftExport() {
    throw new io.tfew.api.TfewException("prefix_tuning has no Hugging Face PEFT form: PEFT's PREFIX_TUNING on T5 "
        + "prefixes only the decoder self-attention (t-few's prefixes also cover the encoder and the "
        + "cross-attention), shares one slice between decoder layers i and i+L/2, and gives prefix keys relative "
        + "positions, so PEFT would score a written file differently. Keep the tfew adapter; PrefixExport "
        + "drops its MLP for inference.");
  }

  /** {@code [n, heads * d_kv]} to {@code [1, heads, n, d_kv]}. */
  private static Operand<TFloat32> heads(Ops tf, Operand<TFloat32> x, int n, ModelDims dims) {
    Operand<TFloat32> split = tf.reshape(x, tf.constant(new int[] {1, n, dims.numHeads(), dims.dKv()}));
    return tf.linalg.transpose(split, tf.constant(new int[] {0, 2, 1, 3}));
  }
}
