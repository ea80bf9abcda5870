package io.tfew.experiments.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** {@link FirstTouch}: both rates measured over the bytes asked for, in whole floats. */
class FirstTouchTest {
  @Test
  void writesTheBytesAskedForTwiceAndReportsBothRates() {
    FirstTouch t = FirstTouch.measure((8L << 20) + 3);
    assertThat(t.bytes()).isEqualTo(8L << 20);
    assertThat(t.freshGbPerSecond()).isPositive().isFinite();
    assertThat(t.againGbPerSecond()).isPositive().isFinite();
  }

  @Test
  void aSizeOfLessThanOneFloatIsRefused() {
    assertThatThrownBy(() -> FirstTouch.measure(3)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least one float");
  }
}
