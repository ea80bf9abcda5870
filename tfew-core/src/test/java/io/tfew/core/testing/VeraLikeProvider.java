package io.tfew.core.testing;

import io.tfew.api.config.ConfigField;
import io.tfew.api.config.ConfigSection;
import io.tfew.api.model.GraphContext;
import io.tfew.api.model.LinearSite;
import io.tfew.api.model.ParameterInit;
import io.tfew.api.model.Parameters;
import io.tfew.api.model.SiteDescriptor;
import io.tfew.api.peft.PeftMethod;
import io.tfew.api.peft.PeftMethodProvider;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.linalg.MatMul;
import org.tensorflow.types.TFloat32;

/**
 * {@code vera_test}: a VeRA-like method written against tfew-api alone, for tests only (it ships in no
 * module). It exercises what a real method outside the built-in set needs from the SPI: frozen random
 * tensors it owns, seeded from the run, shared by every targeted layer and saved in its adapter
 * ({@link Parameters#frozen}), sized from the model's site list before any site hook
 * ({@link io.tfew.api.model.ModelRewriter#beginGraph}).
 *
 * <p>VeRA (Kopiczko et al. 2023): frozen {@code A [r, in_max]} and {@code B [out_max, r]} shared by all
 * targeted linears, trainable {@code d [r]} and {@code b [out]} per linear, and the update
 * {@code y' = y + b * (B[:out] (d * (A[:, :in] x)))}. PEFT's names: {@code base_model.vera_A},
 * {@code base_model.vera_B} and {@code base_model.model.<path>.vera_lambda_d / vera_lambda_b}.
 */
public final class VeraLikeProvider implements PeftMethodProvider {
  public static final String NAME = "vera_test";
  public static final String A = "vera_A";
  public static final String B = "vera_B";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    return "test plugin: VeRA's shared frozen random projections with trainable per-layer scales";
  }

  @Override
  public List<ConfigField> configFields() {
    return List.of(ConfigField.ofInt("r", 4, "rank of the shared projections"),
        ConfigField.ofStrings("target_modules", List.of(".*SelfAttention\\.(q|v)"),
            "regular expressions over linear module paths (full match)"),
        ConfigField.ofDouble("d_initial", 0.1, "initial value of every d"),
        ConfigField.ofDouble("b_initial", 0.0, "initial value of every b (0 keeps the model unchanged at init)"));
  }

  @Override
  public Optional<String> peftType() {
    return Optional.of("VERA");
  }

  @Override
  public Map<String, Object> configFromPeft(Map<String, Object> adapterConfig) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("r", adapterConfig.get("r"));
    c.put("target_modules", adapterConfig.get("target_modules"));
    c.put("d_initial", adapterConfig.get("d_initial"));
    return c;
  }

  @Override
  public PeftMethod create(ConfigSection config) {
    int r = config.getInt("r");
    if (r < 1) {
      throw config.invalid("r", "must be at least 1");
    }
    return new Method(r, config.getStrings("target_modules"), (float) config.getDouble("d_initial"),
        (float) config.getDouble("b_initial"));
  }

  /** The rewrite; public so tests can read what it declared. */
  public static final class Method implements PeftMethod {
    private final int r;
    private final List<String> targets;
    private final float dInitial;
    private final float bInitial;
    private Operand<TFloat32> a;
    private Operand<TFloat32> b;
    private List<SiteDescriptor> seen = List.of();

    Method(int r, List<String> targets, float dInitial, float bInitial) {
      this.r = r;
      this.targets = List.copyOf(targets);
      this.dInitial = dInitial;
      this.bInitial = bInitial;
    }

    /** The sites beginGraph was given (empty before it ran). */
    public List<SiteDescriptor> sitesSeen() {
      return seen;
    }

    private boolean targeted(String path) {
      return targets.stream().anyMatch(path::matches);
    }

    @Override
    public void beginGraph(GraphContext ctx) {
      seen = ctx.sites();
      List<SiteDescriptor> mine = ctx.sites().stream()
          .filter(s -> s.kind() == SiteDescriptor.Kind.LINEAR && targeted(s.path())).toList();
      if (mine.isEmpty()) {
        return; // core reports the method as matching no site, with its target_modules
      }
      int inMax = mine.stream().mapToInt(SiteDescriptor::inFeatures).max().orElseThrow();
      int outMax = mine.stream().mapToInt(SiteDescriptor::outFeatures).max().orElseThrow();
      // PEFT draws both with kaiming_uniform_(a = sqrt(5)): bound 1 / sqrt(fan_in).
      a = ctx.parameters().frozen(A, Shape.of(r, inMax), ParameterInit.uniform(-1 / Math.sqrt(inMax),
          1 / Math.sqrt(inMax)));
      b = ctx.parameters().frozen(B, Shape.of(outMax, r), ParameterInit.uniform(-1 / Math.sqrt(r),
          1 / Math.sqrt(r)));
    }

    @Override
    public Operand<TFloat32> linearOutput(LinearSite site, Operand<TFloat32> input, Operand<TFloat32> output) {
      if (!targeted(site.path())) {
        return output;
      }
      Ops tf = site.context().tf();
      Parameters p = site.context().parameters();
      Operand<TFloat32> d = p.trainable(site.path() + ".vera_lambda_d", Shape.of(r), ParameterInit.constant(dInitial));
      Operand<TFloat32> scale = p.trainable(site.path() + ".vera_lambda_b", Shape.of(site.outFeatures()),
          ParameterInit.constant(bInitial));
      int in = site.inFeatures();
      int out = site.outFeatures();
      Operand<TFloat32> aSlice = tf.slice(a, tf.constant(new int[] {0, 0}), tf.constant(new int[] {r, in}));
      Operand<TFloat32> bSlice = tf.slice(b, tf.constant(new int[] {0, 0}), tf.constant(new int[] {out, r}));
      Operand<TFloat32> flat = tf.reshape(input, tf.constant(new int[] {-1, in}));
      Operand<TFloat32> h = tf.math.mul(tf.linalg.matMul(flat, aSlice, MatMul.transposeB(true)), d);
      Operand<TFloat32> update = tf.math.mul(tf.linalg.matMul(h, bSlice, MatMul.transposeB(true)), scale);
      return tf.math.add(output, tf.reshape(update, tf.shape(output)));
    }

    @Override
    public String adapterKey(String key) {
      return key.equals(A) || key.equals(B) ? "base_model." + key : "base_model.model." + key;
    }

    @Override
    public Map<String, Object> adapterConfig() {
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("peft_type", "VERA");
      c.put("task_type", "SEQ_2_SEQ_LM");
      c.put("r", r);
      c.put("target_modules", targets);
      c.put("d_initial", (double) dInitial);
      c.put("save_projection", true);
      return c;
    }
  }
}
