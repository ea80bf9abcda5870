package io.tfew.core.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class LearningRateScheduleTest {

  @Test
  void linearWarmupDecayWithSixPercentWarmup() {
    LinearWarmupDecay s = new LinearWarmupDecay(0.06);
    assertThat(s.warmupSteps(100)).isEqualTo(6.0);
    assertThat(s.multiplier(0, 100)).isEqualTo(0.0);
    assertThat(s.multiplier(1, 100)).isCloseTo(1.0 / 6, within(1e-15));
    assertThat(s.multiplier(5, 100)).isCloseTo(5.0 / 6, within(1e-15));
    assertThat(s.multiplier(6, 100)).isEqualTo(1.0);
    assertThat(s.multiplier(7, 100)).isCloseTo(93.0 / 94, within(1e-15));
    assertThat(s.multiplier(99, 100)).isCloseTo(1.0 / 94, within(1e-15));
    assertThat(s.multiplier(100, 100)).isEqualTo(0.0);
    assertThat(s.multiplier(150, 100)).isEqualTo(0.0);
  }

  @Test
  void linearWarmupDecayWithoutWarmupStartsAtFullRate() {
    LinearWarmupDecay s = new LinearWarmupDecay(0.0);
    assertThat(s.warmupSteps(100)).isZero();
    assertThat(s.multiplier(0, 100)).isEqualTo(1.0);
    assertThat(s.multiplier(1, 100)).isCloseTo(0.99, within(1e-15));
    assertThat(s.multiplier(99, 100)).isCloseTo(0.01, within(1e-15));
    assertThat(s.multiplier(100, 100)).isEqualTo(0.0);
  }

  /**
   * T-Few's {@code get_scheduler} passes {@code num_steps * warmup_ratio} = 30 * 0.06 = 1.7999999999999998
   * to its {@code get_linear_schedule_with_warmup}, unrounded. The expected multipliers are that
   * function's {@code lr_lambda} evaluated in CPython 3.11 (r-three/t-few, src/utils/get_scheduler.py);
   * truncating the warm-up to 1 step would give 1.0 at step 1 and 28/29 at step 2.
   */
  @Test
  void warmupIsTheUnroundedProductAsInTFew() {
    LinearWarmupDecay s = new LinearWarmupDecay(0.06);
    assertThat(s.warmupSteps(30)).isEqualTo(1.7999999999999998);
    assertThat(s.multiplier(0, 30)).isEqualTo(0.0);
    assertThat(s.multiplier(1, 30)).isEqualTo(0.5555555555555556);
    assertThat(s.multiplier(2, 30)).isEqualTo(0.9929078014184397);
    assertThat(s.multiplier(3, 30)).isEqualTo(0.9574468085106383);
    assertThat(s.multiplier(29, 30)).isEqualTo(0.03546099290780142);
    assertThat(s.multiplier(30, 30)).isEqualTo(0.0);
    // 25 steps (the mini-T0 repro recipe): a warm-up of 1.5 steps.
    assertThat(s.multiplier(1, 25)).isEqualTo(0.6666666666666666);
    assertThat(s.multiplier(2, 25)).isEqualTo(0.9787234042553191);
    assertThat(s.multiplier(24, 25)).isEqualTo(0.0425531914893617);
  }

  /** A warm-up shorter than one step divides by max(1, warmup) = 1, as lr_lambda does: 10 x 0.05 = 0.5. */
  @Test
  void warmupBelowOneStepStillStartsAtZero() {
    LinearWarmupDecay s = new LinearWarmupDecay(0.05);
    assertThat(s.multiplier(0, 10)).isEqualTo(0.0);
    assertThat(s.multiplier(1, 10)).isEqualTo(0.9473684210526315);
    assertThat(s.multiplier(9, 10)).isEqualTo(0.10526315789473684);
    assertThatThrownBy(() -> new LinearWarmupDecay(1.5)).isInstanceOf(IllegalArgumentException.class);
  }

  /**
   * transformers' {@code get_constant_schedule_with_warmup} ({@code _get_constant_schedule_with_warmup_lr_lambda}):
   * {@code step / max(1.0, warmup)} during the warm-up, then 1. Expected values from that formula in CPython.
   */
  @Test
  void constantWarmsUpWithTheUnroundedWarmup() {
    ConstantSchedule s = new ConstantSchedule(0.06);
    assertThat(s.multiplier(0, 30)).isEqualTo(0.0);
    assertThat(s.multiplier(1, 30)).isEqualTo(0.5555555555555556);
    assertThat(s.multiplier(2, 30)).isEqualTo(1.0);
    assertThat(s.multiplier(30, 30)).isEqualTo(1.0);
    assertThat(new ConstantSchedule(0.06).multiplier(3, 100)).isEqualTo(0.5);
    assertThatThrownBy(() -> new ConstantSchedule(-0.1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void constantIsOneEverywhere() {
    ConstantSchedule s = new ConstantSchedule();
    assertThat(s.multiplier(0, 100)).isEqualTo(1.0);
    assertThat(s.multiplier(57, 100)).isEqualTo(1.0);
    assertThat(s.multiplier(100, 100)).isEqualTo(1.0);
  }
}
