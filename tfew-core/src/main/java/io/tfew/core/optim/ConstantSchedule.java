package io.tfew.core.optim;

/** The learning rate stays at its peak: multiplier 1 at every step. */
public final class ConstantSchedule implements LearningRateSchedule {

  @Override
  public double multiplier(long step, long totalSteps) {
    return 1.0;
  }

  @Override
  public String toString() {
    return "ConstantSchedule";
  }
}
