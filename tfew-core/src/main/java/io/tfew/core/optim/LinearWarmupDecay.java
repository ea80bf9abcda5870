package io.tfew.core.optim;

/**
 * Hugging Face's {@code get_linear_schedule_with_warmup} as T-Few calls it: T-Few's
 * {@code get_scheduler} passes {@code num_steps * warmup_ratio} unrounded, so the warm-up length is a
 * real number {@code warmup = warmupRatio * totalSteps}. The multiplier rises linearly from 0 at step 0
 * while {@code step < warmup}, then falls linearly to 0 at step {@code totalSteps}:
 * <pre>
 *   step &lt; warmup ? step / max(1, warmup) : max(0, (total - step) / max(1, total - warmup))
 * </pre>
 * At 30 steps and ratio 0.06 the warm-up is 1.8 steps: step 1 runs at 1/1.8 of the peak, and the decay
 * divides by 28.2, as in T-Few. With ratio 0 the first update runs at the full learning rate.
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

  /** The warm-up length of a run of {@code totalSteps} updates, unrounded as T-Few passes it. */
  public double warmupSteps(long totalSteps) {
    return totalSteps * warmupRatio;
  }

  @Override
  public double multiplier(long step, long totalSteps) {
    double warmup = warmupSteps(totalSteps);
    if (step < warmup) {
      return (double) step / Math.max(1.0, warmup);
    }
    return Math.max(0.0, (totalSteps - step) / Math.max(1.0, totalSteps - warmup));
  }

  @Override
  public String toString() {
    return "LinearWarmupDecay(warmupRatio=" + warmupRatio + ")";
  }
}
