package io.tfew.peft.prompt;

import io.tfew.api.model.EmbeddedInput;
import io.tfew.api.model.EmbeddingSite;
import io.tfew.api.model.ParameterInit;
import io.tfew.api.model.Parameters;
import io.tfew.api.model.SiteContext;
import io.tfew.api.model.Stack;
import io.tfew.api.TfewException;
import io.tfew.api.model.ModelDims;
import io.tfew.api.peft.PeftExport;
import io.tfew.api.peft.PeftMethod;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * P-tuning (Liu et al. 2021, "GPT Understands, Too"): the pseudo-token embeddings are the output of a small
 * prompt encoder over learned input embeddings, and go in front of the encoder input ({@code prefix}) or
 * around it ({@code split}).
 *
 * <p>The encoder is Hugging Face PEFT's {@code PromptEncoder}, with its parameter names:
 * <ul>
 *   <li>{@code prompt_encoder.embedding.weight} {@code [N, d]}, N(0, 1) as {@code nn.Embedding};
 *   <li>MLP: {@code mlp_head.{0,2,4}} = Linear(d, h), ReLU, Linear(h, h), ReLU, Linear(h, d);
 *   <li>LSTM: a bidirectional LSTM of {@code encoder_num_layers} layers ({@code lstm_head.weight_ih_l0},
 *       {@code ..._reverse}, PyTorch's gate order i, f, g, o), unrolled over the N tokens, then
 *       {@code mlp_head.{0,2}} = Linear(2h, 2h), ReLU, Linear(2h, d).
 * </ul>
 * Linear and LSTM weights start as PyTorch's defaults: uniform in +-1/sqrt(fan_in) and +-1/sqrt(h).
 *
 * <p>Prompts go on the encoder only (PEFT 0.4+ prepends nothing to a T5 decoder), and there is one set of N
 * rows: PEFT's {@code num_transformer_submodules} 1. With {@code taskCount > 1} the input embeddings are
 * per task ({@code [taskCount, N, d]}) and the encoder is shared.
 *
 * <p>Saved adapters are tfew's own: they hold the encoder's weights so training can go on. PEFT saves only
 * the encoder's output, which PEFT then loads as a fixed table. {@link #peftExport} gives that form
 * ({@code tfew adapter export}): {@code prompt_embeddings} {@code [2N, d]}, the encoder's output in rows
 * {@code [0, N)} and zeros in the decoder rows PEFT 0.4+ never applies to T5. tfew reads such a file
 * (and one PEFT wrote) as a fixed {@code prompt_tuning} table, which applies it the same way: it cannot be
 * trained further as P-tuning, in PEFT either.
 *
 * <pre>{@code
 * peft: {method: p_tuning, num_virtual_tokens: 10, encoder_type: lstm, encoder_hidden_size: 128, template: split}
 * }</pre>
 */
public final class PTuningMethod implements PeftMethod {
  public static final String PREFIX = "prompt_encoder.";

  private final PTuningConfig config;
  private Operand<TFloat32> encoderOutput;
  private ModelDims dims;
  private int taskCount = 1;

  public PTuningMethod(PTuningConfig config) {
    this.config = config;
  }

  public PTuningConfig config() {
    return config;
  }

  @Override
  public EmbeddedInput inputEmbeddings(EmbeddingSite site, EmbeddedInput input) {
    if (site.stack() != Stack.ENCODER) {
      return input;
    }
    SiteContext ctx = site.context();
    Ops tf = ctx.tf();
    int d = ctx.dims().dModel();
    Operand<TFloat32> encoded = encode(ctx);
    dims = ctx.dims();
    taskCount = ctx.taskCount();
    if (taskCount == 1) {
      // PEFT's table: the encoder's N rows, then N zero decoder rows (num_transformer_submodules 2).
      int n = config.numVirtualTokens();
      Operand<TFloat32> rows = tf.reshape(encoded, tf.constant(new int[] {n, d}));
      encoderOutput = tf.withName("peft_export_prompt_embeddings").concat(
          List.of(rows, tf.zeros(tf.constant(new int[] {n, d}), TFloat32.class)), tf.constant(0));
    }
    Operand<TFloat32> prompts = SoftPrompts.perRow(ctx, encoded);
    if (config.template() == PTuningConfig.Template.PREFIX) {
      return SoftPrompts.prepend(tf, input, prompts, config.numVirtualTokens());
    }
    int before = config.before();
    return SoftPrompts.split(tf, input, SoftPrompts.rows(tf, prompts, 0, before), before,
        SoftPrompts.rows(tf, prompts, before, config.after()), config.after(), d);
  }

  /**
   * PEFT's P_TUNING form: the encoder's output as {@code prompt_embeddings} with PEFT's seq2seq
   * {@code num_transformer_submodules} 2, and only the config fields every PEFT release since 0.6 knows.
   */
  @Override
  public Optional<PeftExport> peftExport() {
    if (dims == null) {
      throw new IllegalStateException("p_tuning: the graph was not built, so there is no encoder output");
    }
    if (config.template() != PTuningConfig.Template.PREFIX) {
      throw new TfewException("p_tuning.template = split has no Hugging Face PEFT form: PEFT puts every pseudo "
          + "token before the input. Only template: prefix adapters can be exported.");
    }
    if (taskCount > 1) {
      throw new TfewException("p_tuning: a " + taskCount + "-task adapter has no Hugging Face PEFT form; PEFT holds "
          + "one prompt per adapter");
    }
    int n = config.numVirtualTokens();
    int d = dims.dModel();
    Map<String, Object> peft = new LinkedHashMap<>();
    peft.put("peft_type", "P_TUNING");
    peft.put("task_type", "SEQ_2_SEQ_LM");
    peft.put("base_model_name_or_path", null);
    peft.put("revision", null);
    peft.put("inference_mode", true);
    peft.put("num_virtual_tokens", n);
    peft.put("token_dim", d);
    peft.put("num_transformer_submodules", 2);
    peft.put("num_attention_heads", dims.numHeads());
    peft.put("num_layers", dims.numEncoderLayers());
    peft.put("encoder_reparameterization_type", config.encoderType().name());
    peft.put("encoder_hidden_size", config.encoderHiddenSize() == 0 ? d : config.encoderHiddenSize());
    peft.put("encoder_num_layers", config.encoderNumLayers());
    peft.put("encoder_dropout", 0.0);
    return Optional.of(new PeftExport(Map.of(PromptTuningMethod.KEY, encoderOutput), peft));
  }

  /** The prompt encoder's output {@code [slots, N, d]}. */
  Operand<TFloat32> encode(SiteContext ctx) {
    Ops tf = ctx.tf();
    Parameters p = ctx.parameters();
    int n = config.numVirtualTokens();
    int d = ctx.dims().dModel();
    int h = config.encoderHiddenSize() == 0 ? d : config.encoderHiddenSize();
    int slots = ctx.taskCount();
    Operand<TFloat32> x = p.trainable(PREFIX + "embedding.weight",
        slots > 1 ? Shape.of(slots, n, d) : Shape.of(n, d), ParameterInit.normal(1.0));
    x = tf.reshape(x, tf.constant(new int[] {slots, n, d}));
    if (config.encoderType() == PTuningConfig.EncoderType.MLP) {
      x = tf.nn.relu(linear(ctx, x, "mlp_head.0", d, h));
      x = tf.nn.relu(linear(ctx, x, "mlp_head.2", h, h));
      return linear(ctx, x, "mlp_head.4", h, d);
    }
    int in = d;
    for (int layer = 0; layer < config.encoderNumLayers(); layer++) {
      Operand<TFloat32> forward = lstm(ctx, x, "_l" + layer, in, h, n, slots, false);
      Operand<TFloat32> backward = lstm(ctx, x, "_l" + layer + "_reverse", in, h, n, slots, true);
      x = tf.concat(List.of(forward, backward), tf.constant(2));
      in = 2 * h;
    }
    x = tf.nn.relu(linear(ctx, x, "mlp_head.0", 2 * h, 2 * h));
    return linear(ctx, x, "mlp_head.2", 2 * h, d);
  }

  private static Operand<TFloat32> linear(SiteContext ctx, Operand<TFloat32> x, String name, int in, int out) {
    double bound = 1 / Math.sqrt(in);
    Operand<TFloat32> w = ctx.parameters().trainable(PREFIX + name + ".weight", Shape.of(out, in),
        ParameterInit.uniform(-bound, bound));
    Operand<TFloat32> b = ctx.parameters().trainable(PREFIX + name + ".bias", Shape.of(out),
        ParameterInit.uniform(-bound, bound));
    return SoftPrompts.linear(ctx.tf(), x, w, b, in, out);
  }

  /**
   * One direction of one LSTM layer over {@code x [slots, n, in]}, unrolled: N is small (tens), so a loop of
   * matmuls is cheaper to build and differentiate than a while loop. Returns {@code [slots, n, h]} in the
   * input's order (the reverse direction reads backwards and writes each output at its own position).
   */
  private static Operand<TFloat32> lstm(SiteContext ctx, Operand<TFloat32> x, String suffix, int in, int h, int n,
      int slots, boolean reverse) {
    Ops tf = ctx.tf();
    double bound = 1 / Math.sqrt(h);
    ParameterInit init = ParameterInit.uniform(-bound, bound);
    Parameters p = ctx.parameters();
    String base = PREFIX + "lstm_head.";
    Operand<TFloat32> wIh = p.trainable(base + "weight_ih" + suffix, Shape.of(4L * h, in), init);
    Operand<TFloat32> wHh = p.trainable(base + "weight_hh" + suffix, Shape.of(4L * h, h), init);
    Operand<TFloat32> bIh = p.trainable(base + "bias_ih" + suffix, Shape.of(4L * h), init);
    Operand<TFloat32> bHh = p.trainable(base + "bias_hh" + suffix, Shape.of(4L * h), init);
    // Input projections of all steps at once: [slots, n, 4h].
    Operand<TFloat32> projected = SoftPrompts.linear(tf, x, wIh, tf.math.add(bIh, bHh), in, 4 * h);
    Operand<TFloat32> hState = tf.zeros(tf.constant(new int[] {slots, h}), TFloat32.class);
    Operand<TFloat32> cState = hState;
    List<Operand<TFloat32>> outputs = new ArrayList<>(java.util.Collections.nCopies(n, null));
    for (int s = 0; s < n; s++) {
      int t = reverse ? n - 1 - s : s;
      Operand<TFloat32> step = tf.reshape(tf.slice(projected, tf.constant(new int[] {0, t, 0}),
          tf.constant(new int[] {-1, 1, -1})), tf.constant(new int[] {slots, 4 * h}));
      Operand<TFloat32> gates = tf.math.add(step, tf.linalg.matMul(hState, wHh,
          org.tensorflow.op.linalg.MatMul.transposeB(true)));
      Operand<TFloat32> i = tf.math.sigmoid(gate(tf, gates, 0, h));
      Operand<TFloat32> f = tf.math.sigmoid(gate(tf, gates, 1, h));
      Operand<TFloat32> g = tf.math.tanh(gate(tf, gates, 2, h));
      Operand<TFloat32> o = tf.math.sigmoid(gate(tf, gates, 3, h));
      cState = tf.math.add(tf.math.mul(f, cState), tf.math.mul(i, g));
      hState = tf.math.mul(o, tf.math.tanh(cState));
      outputs.set(t, tf.reshape(hState, tf.constant(new int[] {slots, 1, h})));
    }
    return tf.concat(outputs, tf.constant(1));
  }

  private static Operand<TFloat32> gate(Ops tf, Operand<TFloat32> gates, int index, int h) {
    return tf.slice(gates, tf.constant(new int[] {0, index * h}), tf.constant(new int[] {-1, h}));
  }
}
