package io.tfew.core.optim;

/**
 * Hugging Face's {@code get_constant_schedule_with_warmup} with the warm-up length T-Few derives from a
 * ratio, unrounded ({@code warmup = warmupRatio * totalSteps}, as {@link LinearWarmupDecay}): the
 * multiplier rises linearly while {@code step < warmup}, then stays at the peak:
 * <pre>
 *   step &lt; warmup ? step / max(1, warmup) : 1
 * </pre>
 */
public final class ConstantSchedule implements LearningRateSchedule {
  private final double warmupRatio;

  /** @param warmupRatio the fraction of all steps spent warming up, in [0, 1]; 0: the peak from step 0 */
  public ConstantSchedule(double warmupRatio) {
    if (!(warmupRatio >= 0 && warmupRatio <= 1)) {
      throw new IllegalArgumentException("warmupRatio must be in [0, 1], got " + warmupRatio);
    }
    this.warmupRatio = warmupRatio;
  }

  /** No warm-up: the peak at every step. */
  public ConstantSchedule() {
    this(0.0);
  }

  public double warmupRatio() {
    return warmupRatio;
  }

  @Override
  public double multiplier(long step, long totalSteps) {
    double warmup = totalSteps * warmupRatio;
    if (step < warmup) {
      return (double) step / Math.max(1.0, warmup);
    }
    return 1.0;
  }

  @Override
  public String toString() {
    return "ConstantSchedule(warmupRatio=" + warmupRatio + ")";
  }
}
