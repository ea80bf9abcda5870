package io.tfew.api.peft;

import io.tfew.api.model.ModelRewriter;
import java.util.Map;

/**
 * One configured parameter-efficient fine-tuning method, as created by its {@link PeftMethodProvider}.
 *
 * <p>It rewrites the model at the sites it targets (the {@link ModelRewriter} hooks) and declares its
 * trainable tensors through {@link io.tfew.api.model.Parameters}; core builds, initialises, trains,
 * counts, saves and loads them. The adapter file holds exactly the declared parameters, under the keys
 * {@link #adapterKey} gives, next to an {@code adapter_config.json} holding {@link #adapterConfig}.
 *
 * <pre>{@code
 * final class ScaleQueryMethod implements PeftMethod {
 *   private final float factor;
 *   ScaleQueryMethod(float factor) { this.factor = factor; }
 *   public Operand<TFloat32> linearOutput(LinearSite site, Operand<TFloat32> x, Operand<TFloat32> y) {
 *     return site.path().endsWith(".q") ? site.context().tf().math.mul(y, site.context().tf().constant(factor)) : y;
 *   }
 * }
 * }</pre>
 *
 * <p>An instance serves one graph build; core creates a fresh one per graph. When its hooks run (once
 * per graph for {@link ModelRewriter#beginGraph}, once per program and site for the site hooks, methods
 * in YAML order) is stated once, in {@link ModelRewriter}.
 *
 * <p>The adapter holds the method's frozen tensors too ({@link io.tfew.api.model.Parameters#frozen}),
 * under {@link #adapterKey} like the trainable ones. When several methods are active, each keeps its own
 * adapter directory ({@code adapter/<method name>/} of the run), with its own keys only.
 */
public interface PeftMethod extends ModelRewriter {

  /**
   * The adapter-file key of a declared parameter or frozen tensor. The default keeps the declared key;
   * methods that Hugging Face PEFT also has map onto PEFT's names so PEFT can load the file (VeRA's
   * shared projections: {@code base_model.vera_A}).
   */
  default String adapterKey(String parameterKey) {
    return parameterKey;
  }

  /**
   * Fields written to {@code adapter_config.json} besides tfew's own ({@code tfew_method} and the
   * resolved config). PEFT-compatible methods return PEFT's fields ({@code peft_type}, {@code target_modules}, ...).
   */
  default Map<String, Object> adapterConfig() {
    return Map.of();
  }

  /**
   * For a method whose saved adapter is tfew's own layout (because it keeps what training needs, such as
   * P-tuning's prompt encoder) but which Hugging Face PEFT can hold in another form: that form, computed
   * from the parameters of the graph just built ({@code tfew adapter export}). Empty when the saved file
   * already is PEFT's or PEFT has no such method. A method whose adapters PEFT cannot express throws a
   * {@link io.tfew.api.TfewException} saying why.
   *
   * <pre>{@code
   * public Optional<PeftExport> peftExport() {
   *   return Optional.of(new PeftExport(Map.of("prompt_embeddings", encoderOutput), pTuningFields()));
   * }
   * }</pre>
   */
  default java.util.Optional<PeftExport> peftExport() {
    return java.util.Optional.empty();
  }

  /**
   * How this method's parameters are updated. The default leaves it to {@code train.optimizer}; a
   * method returning {@link UpdateRule#FUSED_SGD} makes core apply SGD to every trainable parameter
   * inside the backward pass, for every method of the run.
   *
   * <pre>{@code
   * public UpdateRule updateRule() { return UpdateRule.FUSED_SGD; }   // LOMO
   * }</pre>
   */
  default UpdateRule updateRule() {
    return UpdateRule.CONFIGURED_OPTIMIZER;
  }
}
