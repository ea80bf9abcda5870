package io.tfew.core.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class LearningRateScheduleTest {

  @Test
  void linearWarmupDecayWithSixPercentWarmup() {
    LinearWarmupDecay s = new LinearWarmupDecay(0.06);
    assertThat(s.warmupSteps(100)).isEqualTo(6);
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

  @Test
  void warmupStepsTruncateLikeTFew() {
    // int(0.06 * 30) = 1 in T-Few; not rounded up to 2.
    assertThat(new LinearWarmupDecay(0.06).warmupSteps(30)).isEqualTo(1);
    assertThat(new LinearWarmupDecay(0.06).multiplier(1, 30)).isEqualTo(1.0);
    assertThatThrownBy(() -> new LinearWarmupDecay(1.5)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void constantIsOneEverywhere() {
    ConstantSchedule s = new ConstantSchedule();
    assertThat(s.multiplier(0, 100)).isEqualTo(1.0);
    assertThat(s.multiplier(57, 100)).isEqualTo(1.0);
    assertThat(s.multiplier(100, 100)).isEqualTo(1.0);
  }
}
