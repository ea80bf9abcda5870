package io.tfew.core.optim;

/**
 * Hugging Face's {@code get_linear_schedule_with_warmup}, with the warmup length T-Few derives from a
 * ratio: {@code warmup = (long) (warmupRatio * totalSteps)}. The multiplier rises linearly from 0 at
 * step 0 to 1 at step {@code warmup}, then falls linearly to 0 at step {@code totalSteps}:
 * <pre>
 *   step &lt; warmup ? step / max(1, warmup) : max(0, (total - step) / max(1, total - warmup))
 * </pre>
 * With ratio 0 the first update runs at the full learning rate.
 */
public final class LinearWarmupDecay implements LearningRateSchedule {
  private final double warmupRatio;

  /** @param warmupRatio the fraction of all steps spent warming up, in [0, 1] */
  public LinearWarmupDecay(double warmupRatio) {
    if (!(warmupRatio >= 0 && warmupRatio <= 1)) {
      throw new IllegalArgumentException("warmupRatio must be in [0, 1], got " + warmupRatio);
    }
    this.warmupRatio = warmupRatio;
  }

  public double warmupRatio() {
    return warmupRatio;
  }

  /** The number of warmup steps for a run of {@code totalSteps} updates. */
  public long warmupSteps(long totalSteps) {
    return (long) (warmupRatio * totalSteps);
  }

  @Override
  public double multiplier(long step, long totalSteps) {
    long warmup = warmupSteps(totalSteps);
    if (step < warmup) {
      return (double) step / Math.max(1, warmup);
    }
    return Math.max(0.0, (double) (totalSteps - step) / Math.max(1, totalSteps - warmup));
  }

  @Override
  public String toString() {
    return "LinearWarmupDecay(warmupRatio=" + warmupRatio + ")";
  }
}
