package io.tfew.peft.ia3;

import io.tfew.api.TfewException;
import io.tfew.api.model.FfnSite;
import io.tfew.api.model.LinearSite;
import io.tfew.api.model.ModulePattern;
import io.tfew.api.model.ParameterInit;
import io.tfew.api.model.SiteContext;
import io.tfew.api.peft.PeftMethod;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * (IA)^3 (Liu et al. 2022, "Few-Shot Parameter-Efficient Fine-Tuning is Better and Cheaper than In-Context
 * Learning"): learned vectors that rescale the keys and values of every attention ({@code l_k}, {@code l_v})
 * and the feed-forward inner activation ({@code l_ff}).
 *
 * <ul>
 *   <li>Linear sites whose module path a {@code target_modules} regex fully matches: the output is multiplied
 *       by a vector {@code <path>.ia3_l} of the output width, declared {@code [out, 1]} as PEFT stores it.
 *   <li>With {@code feedforward}, the FFN activation site: the input of {@code wo} is multiplied by
 *       {@code <...DenseReluDense>.wo.ia3_l}, declared {@code [1, d_ff]} as PEFT stores a feed-forward
 *       module's vector. In a gated FFN the input of {@code wo} is {@code gelu(wi_0 x) * wi_1 x}; rescaling
 *       that product elementwise is the same as rescaling the output of {@code wi_1}, which is where T-Few
 *       put {@code l_ff} (its {@code wi_1.multi_lora_b}). Both file layouts therefore load here.
 *   <li>With {@code taskCount > 1} every vector becomes {@code [taskCount, n]} and each row of the batch is
 *       rescaled by the row of its own task (per-example adapter selection).
 * </ul>
 *
 * <p>Declared shapes are PEFT's on-disk shapes because core saves parameters with their declared shape: an
 * adapter written by tfew then loads in {@code PeftModel.from_pretrained}, whose {@code load_state_dict}
 * refuses size mismatches even when it is not strict.
 *
 * <pre>{@code
 * PeftMethod ia3 = registry.method("ia3", "experiment.yaml: peft").create(section);
 * new ModelGraph(config, new SiteRewrites(List.of(new SiteRewrites.Active("ia3", ia3))), true, 1, seed);
 * }</pre>
 *
 * <p>One instance serves one graph build (hooks may run several times per site, once per program built
 * on the graph; the repeated declarations return the same variables).
 */
public final class Ia3Method implements PeftMethod {
  /** Hugging Face PEFT's prefix for the parameters of a tuner-wrapped model. */
  public static final String PEFT_PREFIX = "base_model.model.";
  /** The suffix of every vector's key, PEFT's {@code ia3_l}. */
  public static final String SUFFIX = ".ia3_l";

  private final Ia3Config config;
  private final List<ModulePattern> targets;
  private final PretrainedIa3 pretrained;
  /** Module paths of the file whose vector initialised a parameter. */
  private final Set<String> used = new LinkedHashSet<>();
  /** Parameter key to module path, in declaration order (for messages and tests). */
  private final Map<String, String> declared = new LinkedHashMap<>();
  private boolean checkedUnused;

  /**
   * @param config the validated options
   * @param pretrained the vectors named by {@code config.init()}, or {@code null} for init at one
   */
  public Ia3Method(Ia3Config config, PretrainedIa3 pretrained) {
    this.config = config;
    this.targets = config.targetModules().stream()
        .map(r -> ModulePattern.compile(r, "ia3.target_modules")).toList();
    this.pretrained = pretrained;
    if (config.pretrained() && pretrained == null) {
      throw new IllegalArgumentException("init '" + config.init() + "' needs the vectors read from it");
    }
  }

  public Ia3Config config() {
    return config;
  }

  /** Parameter keys declared so far, each with the module path it rescales. */
  public Map<String, String> declaredKeys() {
    return Map.copyOf(declared);
  }

  @Override
  public Operand<TFloat32> linearOutput(LinearSite site, Operand<TFloat32> input, Operand<TFloat32> output) {
    // With feedforward on, wo is handled at the FFN activation (its input), as PEFT does for a module that
    // is both a target and a feedforward module; scaling its output too would declare a clashing key.
    if ((config.feedforward() && site.path().endsWith(".wo")) || !matches(site.path())) {
      return output;
    }
    int n = site.outFeatures();
    Operand<TFloat32> l = vector(site.context(), site.path() + SUFFIX, site.path(), site.path(), n, true);
    return scale(site.context(), output, l, n);
  }

  @Override
  public Operand<TFloat32> ffnActivation(FfnSite site, Operand<TFloat32> activation) {
    if (!config.feedforward()) {
      return activation;
    }
    String wo = site.path() + ".wo";
    String source = wo;
    if (pretrained != null && !pretrained.has(wo)) {
      // T-Few scaled wi_1's output; in a gated FFN that is the same product as wo's input.
      String wi1 = site.path() + ".wi_1";
      boolean gated = site.context().dims().gatedFfn();
      if (gated && pretrained.has(wi1) && !used.contains(wi1)) {
        source = wi1;
      } else {
        throw new TfewException(pretrained.file() + ": has no (IA)^3 vector for the FFN activation of "
            + site.path() + "; looked for " + wo + (gated ? " and " + wi1 : "")
            + ". Set feedforward: false if the file has no FFN vectors, or check that it is for this model");
      }
    }
    int n = site.width();
    Operand<TFloat32> l = vector(site.context(), wo + SUFFIX, wo, source, n, false);
    return scale(site.context(), activation, l, n);
  }

  @Override
  public String adapterKey(String parameterKey) {
    return PEFT_PREFIX + parameterKey;
  }

  /**
   * PEFT's IA3 config (only fields every PEFT release since 0.4 knows, so 0.6-0.13's strict loader
   * accepts it). {@code target_modules} is one regex (PEFT full-matches a string) that adds {@code wo}
   * when it is a feed-forward module, because PEFT requires feed-forward modules to be targets too.
   */
  @Override
  public Map<String, Object> adapterConfig() {
    Map<String, Object> peft = new LinkedHashMap<>();
    peft.put("peft_type", "IA3");
    peft.put("task_type", "SEQ_2_SEQ_LM");
    peft.put("base_model_name_or_path", null);
    peft.put("revision", null);
    peft.put("inference_mode", true);
    peft.put("target_modules", peftTargetRegex());
    peft.put("feedforward_modules", config.feedforward() ? List.of("wo") : List.of());
    peft.put("fan_in_fan_out", false);
    peft.put("modules_to_save", null);
    peft.put("init_ia3_weights", true);
    return peft;
  }

  private String peftTargetRegex() {
    List<String> parts = config.targetModules().stream().map(r -> "(?:" + r + ")").collect(Collectors.toList());
    if (config.feedforward()) {
      parts.add(".*\\.DenseReluDense\\.wo");
    }
    return String.join("|", parts);
  }

  private boolean matches(String path) {
    for (ModulePattern p : targets) {
      if (p.matches(path)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Declares the vector of one site: {@code [out, 1]} (outputs) or {@code [1, n]} (wo's input) for one
   * task, {@code [taskCount, n]} for several.
   */
  private Operand<TFloat32> vector(SiteContext ctx, String key, String module, String source, int n,
      boolean output) {
    int tasks = ctx.taskCount();
    Shape shape = tasks > 1 ? Shape.of(tasks, n) : output ? Shape.of(n, 1) : Shape.of(1, n);
    declared.put(key, module);
    return ctx.parameters().trainable(key, shape, init(module, source, n, tasks));
  }

  private ParameterInit init(String module, String source, int n, int tasks) {
    if (pretrained == null) {
      return ParameterInit.constant(1f);
    }
    float[] v = pretrained.vector(source, module, n);
    used.add(source);
    float[] all = new float[n * tasks];
    for (int t = 0; t < tasks; t++) {
      // Every task slot starts from the same pretrained vector, as T-Few's multi-task start does.
      System.arraycopy(v, 0, all, t * n, n);
    }
    ParameterInit values = ParameterInit.of(all);
    return (out, shape, random) -> {
      // Core initialises only after every program is built, so every site has taken its vector by now.
      requireEveryVectorUsed();
      values.fill(out, shape, random);
    };
  }

  /**
   * Fails when the pretrained file holds vectors no site took: they would be silently dropped, which
   * almost always means the file belongs to another model or placement.
   */
  public void requireEveryVectorUsed() {
    if (pretrained == null || checkedUnused) {
      return;
    }
    Set<String> unused = new TreeSet<>(pretrained.modules());
    unused.removeAll(used);
    if (!unused.isEmpty()) {
      throw new TfewException(pretrained.file() + ": " + unused.size() + " vector(s) match no (IA)^3 site of "
          + "this model with target_modules " + config.targetModules() + ", feedforward " + config.feedforward()
          + ": " + abbreviate(unused) + "; was the file made for another model or placement?");
    }
    checkedUnused = true;
  }

  static String abbreviate(Set<String> names) {
    List<String> list = List.copyOf(names);
    return list.size() <= 8 ? list.toString()
        : list.subList(0, 8) + " and " + (list.size() - 8) + " more";
  }

  private static Operand<TFloat32> scale(SiteContext ctx, Operand<TFloat32> x, Operand<TFloat32> l, int n) {
    Ops tf = ctx.tf();
    if (ctx.taskCount() > 1) {
      // [rows, n] -> [rows, 1, n]: one vector per row, broadcast over positions.
      Operand<TFloat32> perRow = tf.gather(l, ctx.rowTask(), tf.constant(0));
      return tf.math.mul(x, tf.expandDims(perRow, tf.constant(1)));
    }
    return tf.math.mul(x, tf.reshape(l, tf.constant(new int[] {n})));
  }
}
