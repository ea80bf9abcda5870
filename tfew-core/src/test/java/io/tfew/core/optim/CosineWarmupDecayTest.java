package io.tfew.core.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class CosineWarmupDecayTest {
  private final CosineWarmupDecay schedule = new CosineWarmupDecay(100, 0.05);

  @Test
  void risesLinearlyDuringWarmup() {
    assertThat(schedule.multiplier(0, 2400)).isZero();
    assertThat(schedule.multiplier(50, 2400)).isCloseTo(0.5, within(1e-12));
    assertThat(schedule.multiplier(100, 2400)).isCloseTo(1.0, within(1e-12));
  }

  @Test
  void fallsAlongAHalfCosineToTheFloor() {
    // Halfway through the decay the cosine term is (1 + cos(pi/2)) / 2 = 1/2.
    assertThat(schedule.multiplier(1250, 2400)).isCloseTo(0.05 + 0.95 * 0.5, within(1e-12));
    assertThat(schedule.multiplier(2400, 2400)).isCloseTo(0.05, within(1e-12));
    assertThat(schedule.multiplier(5000, 2400)).isCloseTo(0.05, within(1e-12));
    for (long s = 101; s < 2400; s++) {
      assertThat(schedule.multiplier(s, 2400)).isLessThan(schedule.multiplier(s - 1, 2400));
    }
  }

  @Test
  void withoutWarmupTheFirstStepRunsAtThePeak() {
    assertThat(new CosineWarmupDecay(0, 0).multiplier(0, 10)).isEqualTo(1.0);
  }

  @Test
  void rejectsANegativeWarmupAndAFloorOutsideTheUnitInterval() {
    assertThatThrownBy(() -> new CosineWarmupDecay(-1, 0)).hasMessageContaining("warmupSteps");
    assertThatThrownBy(() -> new CosineWarmupDecay(1, 1.5)).hasMessageContaining("floor");
  }
}
