package io.tfew.peft.qlora;

import io.tfew.api.model.BaseDerivation;
import io.tfew.api.model.LinearSite;
import io.tfew.api.model.ParameterInit;
import io.tfew.api.model.Parameters;
import io.tfew.api.model.SiteContext;
import io.tfew.api.peft.PeftMethod;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.linalg.MatMul;
import org.tensorflow.op.train.BatchMatMul;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TUint8;

/**
 * QLoRA (Dettmers et al. 2023): the targeted frozen linears are held as 4-bit NormalFloat codes with
 * per-block scales and dequantised inside the graph for their matmul; a LoRA update in float32 is
 * added on top, {@code y = x dequant(W)^T + scaling * (dropout(x) A^T) B^T}.
 *
 * <ul>
 *   <li>At the {@code linearWeight} hook the method declares the frozen tensors derived from the base
 *       weight ({@link Parameters#frozenFromBase}): {@code <path>.nf4_codes} (uint8, two codes per byte)
 *       and either {@code <path>.nf4_absmax} (float32 per block) or, with double quantisation,
 *       {@code <path>.nf4_absmax_codes} (uint8 per block), {@code <path>.nf4_absmax_scale} (float32 per
 *       256 blocks) and {@code <path>.nf4_absmax_offset}. It replaces the float32 weight
 *       ({@link Parameters#replaceBaseWeight}), so core never loads it: only 4.1 to 4.5 bits per weight
 *       stay resident.
 *   <li>At the {@code linearOutput} hook it adds LoRA's branch, with LoRA's parameter names
 *       ({@code <path>.lora_A.weight [r, in]}, {@code <path>.lora_B.weight [out, r]}) and per-task slots
 *       when {@code taskCount > 1}. The adapter file is a PEFT LORA adapter, as QLoRA's are: only the
 *       LoRA matrices are saved, and the quantised base is recomputed from the checkpoint at load.
 * </ul>
 *
 * <pre>{@code
 * peft:
 *   method: qlora
 *   r: 8
 *   alpha: 16
 * }</pre>
 *
 * <p>One instance serves one graph build; hooks may run several times per site and the repeated
 * declarations return the same tensors.
 */
public final class QloraMethod implements PeftMethod {
  /** Hugging Face PEFT's prefix for the parameters of a tuner-wrapped model. */
  public static final String PEFT_PREFIX = "base_model.model.";
  public static final String A_SUFFIX = ".lora_A.weight";
  public static final String B_SUFFIX = ".lora_B.weight";

  private final QloraConfig config;
  private final Set<String> modules = new LinkedHashSet<>();
  /**
   * The frozen NF4 state of each site, declared once per graph and read by every program on it. The
   * dequantised weight is built per program instead (it was once shared too): each program's copy waits for
   * that program's input at the site, which a shared copy could not do without making evaluation wait for
   * training's feeds.
   */
  private final Map<String, Frozen> frozen = new LinkedHashMap<>();
  /** The last weight quantised, by identity: core derives all tensors of one weight from one array in a row. */
  private float[] lastSource;
  private Quantized last;

  /** One weight's quantised state. */
  private record Quantized(Nf4.Quantized nf4, BlockScales.Quantized scales) {}

  /** One site's frozen operands in the graph. */
  private record Frozen(Operand<TUint8> codes, Operand<TFloat32> scales) {}

  public QloraMethod(QloraConfig config) {
    this.config = config;
  }

  public QloraConfig config() {
    return config;
  }

  /** Module paths that were quantised and given an update so far. */
  public List<String> modules() {
    return List.copyOf(modules);
  }

  @Override
  public Operand<TFloat32> linearWeight(LinearSite site, Operand<TFloat32> weight) {
    if (!config.targets(site.path())) {
      return weight;
    }
    SiteContext ctx = site.context();
    Frozen state = frozen.computeIfAbsent(site.path(), p -> declare(site));
    // Dequantised when the site's input is there, not at the start of the run: TensorFlow runs an op once its
    // inputs exist, and these read variables alone, so every layer's float32 weight would be built, and held,
    // before the first matmul. In training, grappler recomputes it for the backward matmul (Nf4Graph's hint).
    Ops tf = site.input() == null ? ctx.tf() : ctx.tf().withControlDependencies(List.of(site.input()));
    return Nf4Graph.weight(tf, state.codes(), state.scales(), site.outFeatures(), site.inFeatures(),
        config.blockSize());
  }

  /** Declares the site's frozen NF4 codes and scales, derived from its base weight, which they replace. */
  private Frozen declare(LinearSite site) {
    SiteContext ctx = site.context();
    Parameters params = ctx.parameters();
    Ops tf = ctx.tf();
    String path = site.path();
    String baseKey = path + ".weight";
    int blockSize = config.blockSize();
    long count = (long) site.outFeatures() * site.inFeatures();
    int blocks = Nf4.blocks(count, blockSize);
    Operand<TUint8> codes = params.frozenFromBase(path + ".nf4_codes", baseKey, Shape.of(blocks * (long) blockSize / 2),
        TUint8.class, derive(q -> ByteBuffer.wrap(q.nf4().codes())));
    Operand<TFloat32> scales;
    if (config.doubleQuant()) {
      int groups = Nf4.blocks(blocks, BlockScales.GROUP);
      Operand<TUint8> scaleCodes = params.frozenFromBase(path + ".nf4_absmax_codes", baseKey,
          Shape.of(groups * (long) BlockScales.GROUP), TUint8.class, derive(q -> ByteBuffer.wrap(q.scales().codes())));
      Operand<TFloat32> groupScale = params.frozenFromBase(path + ".nf4_absmax_scale", baseKey, Shape.of(groups),
          TFloat32.class, derive(q -> FloatBuffer.wrap(q.scales().groupScale())));
      Operand<TFloat32> offset = params.frozenFromBase(path + ".nf4_absmax_offset", baseKey, Shape.of(1),
          TFloat32.class, derive(q -> FloatBuffer.wrap(new float[] {q.scales().offset()})));
      scales = Nf4Graph.scales(tf, scaleCodes, groupScale, offset, blocks);
    } else {
      scales = params.frozenFromBase(path + ".nf4_absmax", baseKey, Shape.of(blocks), TFloat32.class,
          derive(q -> FloatBuffer.wrap(q.nf4().absmax())));
    }
    params.replaceBaseWeight(baseKey);
    modules.add(path);
    return new Frozen(codes, scales);
  }

  @Override
  public Operand<TFloat32> linearOutput(LinearSite site, Operand<TFloat32> input, Operand<TFloat32> output) {
    if (!config.targets(site.path())) {
      return output;
    }
    SiteContext ctx = site.context();
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
      // Two thin matmuls through rank r; never form B A, which is [out, in].
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
   * PEFT's LORA config: a QLoRA adapter is a LoRA adapter (PEFT loads it onto a 4-bit or a full-precision
   * base alike). Only fields every PEFT release since 0.6 knows, plus {@code use_rslora} when it is on.
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
    double alpha = config.alpha();
    peft.put("lora_alpha", alpha == Math.rint(alpha) && Math.abs(alpha) < Integer.MAX_VALUE ? (Object) (int) alpha
        : (Object) alpha);
    peft.put("lora_dropout", config.dropout());
    peft.put("target_modules", config.targetModules().stream().map(t -> "(?:" + t + ")")
        .collect(Collectors.joining("|")));
    peft.put("fan_in_fan_out", false);
    peft.put("bias", "none");
    peft.put("modules_to_save", null);
    peft.put("init_lora_weights", QloraConfig.INIT_GAUSSIAN.equals(config.init()) ? "gaussian" : true);
    if (config.useRslora()) {
      peft.put("use_rslora", true);
    }
    return peft;
  }

  /** A derivation reading one part of the weight's quantised state, quantising each weight once. */
  private BaseDerivation derive(Function<Quantized, java.nio.Buffer> part) {
    return (base, shape) -> part.apply(quantized(base));
  }

  private Quantized quantized(float[] base) {
    if (base != lastSource) {
      Nf4.Quantized nf4 = Nf4.quantize(base, config.blockSize());
      last = new Quantized(nf4, config.doubleQuant() ? BlockScales.quantize(nf4.absmax()) : null);
      lastSource = base;
    }
    return last;
  }

  private Operand<TFloat32> matrixA(LinearSite site) {
    SiteContext ctx = site.context();
    int tasks = ctx.taskCount();
    int in = site.inFeatures();
    Shape shape = tasks > 1 ? Shape.of(tasks, config.r(), in) : Shape.of(config.r(), in);
    // PEFT's reset_lora_parameters: kaiming_uniform_(A, a=sqrt(5)) has bound 1/sqrt(in); or normal(0, 1/r).
    ParameterInit init = QloraConfig.INIT_GAUSSIAN.equals(config.init()) ? ParameterInit.normal(1.0 / config.r())
        : ParameterInit.uniform(-1.0 / Math.sqrt(in), 1.0 / Math.sqrt(in));
    return ctx.parameters().trainable(site.path() + A_SUFFIX, shape, init);
  }

  private Operand<TFloat32> matrixB(LinearSite site) {
    SiteContext ctx = site.context();
    int tasks = ctx.taskCount();
    Shape shape = tasks > 1 ? Shape.of(tasks, site.outFeatures(), config.r())
        : Shape.of(site.outFeatures(), config.r());
    // B = 0: the model starts as the quantised base model.
    return ctx.parameters().trainable(site.path() + B_SUFFIX, shape, ParameterInit.zeros());
  }
}
