package io.tfew.api.peft;

/**
 * How a method wants its trainable parameters updated, as {@link PeftMethod#updateRule()} states it.
 *
 * <p>Most methods leave the choice to the run's {@code train.optimizer}. A method whose point is the
 * update itself, such as LOMO (Lv et al. 2023, "Full Parameter Fine-tuning for Large Language Models with
 * Limited Resources"), asks core for {@link #FUSED_SGD} instead:
 *
 * <pre>{@code
 * final class LomoMethod implements PeftMethod {
 *   public UpdateRule updateRule() { return UpdateRule.FUSED_SGD; }
 *   // ... declare every base weight trainable, as full fine-tuning does
 * }
 * }</pre>
 */
public enum UpdateRule {
  /** The optimizer the run configures ({@code train.optimizer}) updates the parameters after the backward pass. */
  CONFIGURED_OPTIMIZER,

  /**
   * Plain SGD applied to each parameter as soon as its gradient is computed, so that the gradients of
   * all parameters never exist at once and no optimizer state is kept. Gradient-norm clipping then takes
   * two passes (the first only measures the global norm), and gradients cannot be accumulated over
   * micro-batches. Core refuses {@code train.optimizer} other than {@code sgd} and
   * {@code train.grad_accum} other than 1 for such a run.
   */
  FUSED_SGD
}
