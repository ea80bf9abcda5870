package io.tfew.peft.lora;

import io.tfew.api.TfewException;
import io.tfew.api.model.LinearSite;
import io.tfew.api.model.ParameterInit;
import io.tfew.api.model.Parameters;
import io.tfew.api.model.SiteContext;
import io.tfew.api.peft.PeftMethod;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.linalg.MatMul;
import org.tensorflow.op.train.BatchMatMul;
import org.tensorflow.types.TFloat32;

/**
 * LoRA (Hu et al. 2021): a trainable low-rank update of the targeted linear projections,
 * {@code y' = y + scaling * (dropout(x) A^T) B^T}, with {@code A [r, in]} and {@code B [out, r]}.
 *
 * <ul>
 *   <li>Parameters are declared as {@code <module path>.lora_A.weight} {@code [r, in]} and
 *       {@code <module path>.lora_B.weight} {@code [out, r]}, PEFT's names and on-disk shapes, so
 *       {@link #adapterKey} only adds PEFT's {@code base_model.model.} prefix and the file loads in
 *       {@code PeftModel.from_pretrained}.
 *   <li>With {@code train_layer_norms} every base {@code layer_norm.weight} (block norms and both final
 *       norms) is made trainable through {@link Parameters#trainableBase}; it is saved under
 *       {@code base_model.model.<hf name>}, which is exactly where PEFT saves a module listed in
 *       {@code modules_to_save}, and {@link #adapterConfig} lists {@code layer_norm} and
 *       {@code final_layer_norm} there. PEFT trains a copy of such a module and keeps the original;
 *       tfew trains the base variable itself. The forward pass is the same, so the file means the same.
 *   <li>With {@code taskCount > 1} the matrices become {@code [taskCount, r, in]} and
 *       {@code [taskCount, out, r]}; each row gathers its own task's pair and the update is a batched
 *       matmul, so a mixed batch equals separate per-task batches.
 *   <li>With {@code merge} the update is folded into the weight at the {@code linearWeight} hook,
 *       {@code W' = W + scaling * B A}, which gives the same outputs with one matmul per site. The base
 *       variable itself is never changed (the sum is an op), so "unmerging" is building the graph
 *       without {@code merge}; {@link LoraMerge} does the same arithmetic on arrays for exporting merged
 *       checkpoints and undoing it.
 * </ul>
 *
 * <pre>{@code
 * PeftMethod lora = registry.method("lora", "experiment.yaml: peft").create(section);
 * new ModelGraph(config, new SiteRewrites(List.of(new SiteRewrites.Active("lora", lora))), true, 1, seed);
 * }</pre>
 *
 * <p>One instance serves one graph build. As {@link io.tfew.api.model.ModelRewriter} states for every
 * method, its site hooks run once per program built on the graph (so several times per site), after
 * the other methods listed before it in the YAML; the repeated declarations return the same variables.
 */
public final class LoraMethod implements PeftMethod {
  /** Hugging Face PEFT's prefix for the parameters of a tuner-wrapped model. */
  public static final String PEFT_PREFIX = "base_model.model.";
  public static final String A_SUFFIX = ".lora_A.weight";
  public static final String B_SUFFIX = ".lora_B.weight";
  /** Base weights {@code train_layer_norms} makes trainable: block norms and the two final norms. */
  public static final String LAYER_NORM_SUFFIX = "layer_norm.weight";

  private final LoraConfig config;
  /** Module paths that got an update, in declaration order (for tests and messages). */
  private final Set<String> modules = new LinkedHashSet<>();
  private boolean layerNormsDeclared;

  public LoraMethod(LoraConfig config) {
    this.config = config;
  }

  public LoraConfig config() {
    return config;
  }

  /** Module paths that received a low-rank update so far. */
  public List<String> modules() {
    return List.copyOf(modules);
  }

  @Override
  public Operand<TFloat32> linearWeight(LinearSite site, Operand<TFloat32> weight) {
    SiteContext ctx = site.context();
    declareLayerNorms(ctx);
    if (!config.merge() || !config.targets(site.path())) {
      return weight;
    }
    if (ctx.taskCount() > 1) {
      throw new TfewException("lora.merge: true cannot serve " + ctx.taskCount() + " tasks in one graph: a merged "
          + "weight holds one task's update; set merge: false for multi-task runs");
    }
    if (ctx.training() && config.dropout() > 0) {
      throw new TfewException("lora.merge: true with dropout " + config.dropout() + " in a training graph: dropout "
          + "acts on the branch's input, which a merged weight has no longer; set dropout: 0 or merge: false");
    }
    Ops tf = ctx.tf();
    Operand<TFloat32> a = matrixA(site);
    Operand<TFloat32> b = matrixB(site);
    Operand<TFloat32> delta = tf.math.mul(tf.linalg.matMul(b, a), tf.constant((float) config.scaling()));
    return tf.math.add(weight, delta);
  }

  @Override
  public Operand<TFloat32> linearOutput(LinearSite site, Operand<TFloat32> input, Operand<TFloat32> output) {
    SiteContext ctx = site.context();
    declareLayerNorms(ctx);
    if (config.merge() || !config.targets(site.path())) {
      return output;
    }
    Ops tf = ctx.tf();
    Operand<TFloat32> a = matrixA(site);
    Operand<TFloat32> b = matrixB(site);
    Operand<TFloat32> x = ctx.training() && config.dropout() > 0 ? ctx.dropout(input, config.dropout()) : input;
    Operand<TFloat32> update;
    if (ctx.taskCount() > 1) {
      // Per-row matrices: [rows, r, in] and [rows, out, r]; x is [rows, length, in].
      Operand<TFloat32> aRows = tf.gather(a, ctx.rowTask(), tf.constant(0));
      Operand<TFloat32> bRows = tf.gather(b, ctx.rowTask(), tf.constant(0));
      Operand<TFloat32> h = tf.train.batchMatMul(x, aRows, TFloat32.class, BatchMatMul.adjY(true));
      update = tf.train.batchMatMul(h, bRows, TFloat32.class, BatchMatMul.adjY(true));
    } else {
      // Two thin 2-D matmuls through rank r; never form B A, which is [out, in].
      Operand<TFloat32> flat = tf.reshape(x, tf.constant(new int[] {-1, site.inFeatures()}));
      Operand<TFloat32> h = tf.linalg.matMul(flat, a, MatMul.transposeB(true));
      Operand<TFloat32> d = tf.linalg.matMul(h, b, MatMul.transposeB(true));
      update = tf.reshape(d, tf.shape(output));
    }
    return tf.math.add(output, tf.math.mul(update, tf.constant((float) config.scaling())));
  }

  @Override
  public String adapterKey(String parameterKey) {
    return PEFT_PREFIX + parameterKey;
  }

  /**
   * PEFT's LORA config, with only fields every PEFT release since 0.6 knows (0.6-0.13 refuse unknown keys),
   * plus {@code use_rslora} when it is on (0.8+), as hf-peft-format.md section 6 recommends.
   * {@code target_modules} is one regex, which PEFT full-matches as tfew does.
   */
  @Override
  public Map<String, Object> adapterConfig() {
    Map<String, Object> peft = new LinkedHashMap<>();
    peft.put("peft_type", "LORA");
    peft.put("task_type", "SEQ_2_SEQ_LM");
    peft.put("base_model_name_or_path", null);
    peft.put("revision", null);
    peft.put("inference_mode", true);
    peft.put("r", config.r());
    peft.put("lora_alpha", wholeIfIntegral(config.alpha()));
    peft.put("lora_dropout", config.dropout());
    peft.put("target_modules", config.targetModules().stream().map(t -> "(?:" + t + ")")
        .collect(Collectors.joining("|")));
    peft.put("fan_in_fan_out", false);
    peft.put("bias", "none");
    peft.put("modules_to_save", config.trainLayerNorms() ? List.of("layer_norm", "final_layer_norm") : null);
    peft.put("init_lora_weights", LoraConfig.INIT_GAUSSIAN.equals(config.init()) ? "gaussian" : true);
    if (config.useRslora()) {
      peft.put("use_rslora", true);
    }
    return peft;
  }

  /** PEFT types {@code lora_alpha} as an int; write 8 rather than 8.0 when it is one. */
  private static Object wholeIfIntegral(double v) {
    return v == Math.rint(v) && Math.abs(v) < Integer.MAX_VALUE ? (Object) (int) v : (Object) v;
  }

  private Operand<TFloat32> matrixA(LinearSite site) {
    SiteContext ctx = site.context();
    int tasks = ctx.taskCount();
    int in = site.inFeatures();
    Shape shape = tasks > 1 ? Shape.of(tasks, config.r(), in) : Shape.of(config.r(), in);
    modules.add(site.path());
    return ctx.parameters().trainable(site.path() + A_SUFFIX, shape, initA(in));
  }

  private Operand<TFloat32> matrixB(LinearSite site) {
    SiteContext ctx = site.context();
    int tasks = ctx.taskCount();
    Shape shape = tasks > 1 ? Shape.of(tasks, site.outFeatures(), config.r())
        : Shape.of(site.outFeatures(), config.r());
    // B = 0: the model starts exactly as the base model, whatever A is.
    return ctx.parameters().trainable(site.path() + B_SUFFIX, shape, ParameterInit.zeros());
  }

  /**
   * PEFT's {@code reset_lora_parameters}: {@code kaiming_uniform_(A, a=sqrt(5))}, whose bound
   * {@code sqrt(6 / ((1 + a^2) fan_in))} is {@code 1 / sqrt(in)}; or {@code normal_(A, std=1/r)}.
   */
  private ParameterInit initA(int in) {
    return LoraConfig.INIT_GAUSSIAN.equals(config.init()) ? ParameterInit.normal(1.0 / config.r())
        : ParameterInit.uniform(-1.0 / Math.sqrt(in), 1.0 / Math.sqrt(in));
  }

  private void declareLayerNorms(SiteContext ctx) {
    if (!config.trainLayerNorms() || layerNormsDeclared) {
      return;
    }
    Parameters params = ctx.parameters();
    List<String> norms = new ArrayList<>();
    for (String key : params.baseWeightKeys()) {
      if (key.endsWith(LAYER_NORM_SUFFIX)) {
        norms.add(key);
      }
    }
    if (norms.isEmpty()) {
      throw new TfewException("lora.train_layer_norms: the model has no weight ending in '" + LAYER_NORM_SUFFIX
          + "'; is it a T5-family checkpoint?");
    }
    norms.forEach(params::trainableBase);
    layerNormsDeclared = true;
  }
}
