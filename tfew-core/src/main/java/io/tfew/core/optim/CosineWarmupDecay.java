package io.tfew.core.optim;

/**
 * Linear warm-up over a fixed number of steps, then a half cosine from the peak down to
 * {@code floor} times the peak at the last step, as Hugging Face's
 * {@code get_cosine_schedule_with_warmup} with a floor:
 * <pre>
 *   step &lt; warmup ? step / warmup : floor + (1 - floor) * (1 + cos(pi * (step - warmup) / (total - warmup))) / 2
 * </pre>
 */
public final class CosineWarmupDecay implements LearningRateSchedule {
  private final long warmupSteps;
  private final double floor;

  /**
   * @param warmupSteps updates spent rising linearly from 0 to the peak
   * @param floor the final multiplier, in [0, 1]
   */
  public CosineWarmupDecay(long warmupSteps, double floor) {
    if (warmupSteps < 0) {
      throw new IllegalArgumentException("warmupSteps must not be negative, got " + warmupSteps);
    }
    if (!(floor >= 0 && floor <= 1)) {
      throw new IllegalArgumentException("floor must be in [0, 1], got " + floor);
    }
    this.warmupSteps = warmupSteps;
    this.floor = floor;
  }

  @Override
  public double multiplier(long step, long totalSteps) {
    if (step < warmupSteps) {
      return (double) step / warmupSteps;
    }
    double progress = Math.min(1.0, (double) (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps));
    return floor + (1 - floor) * 0.5 * (1 + Math.cos(Math.PI * progress));
  }

  @Override
  public String toString() {
    return "CosineWarmupDecay(warmupSteps=" + warmupSteps + ", floor=" + floor + ")";
  }
}
