package io.tfew.core.optim;

/**
 * A learning-rate schedule as a multiplier of the peak learning rate, in the manner of PyTorch's
 * {@code LambdaLR}.
 */
public interface LearningRateSchedule {

  /**
   * The multiplier for one update.
   *
   * @param step the 0-based index of the update about to happen
   * @param totalSteps the number of updates in the whole run
   */
  double multiplier(long step, long totalSteps);
}
