package io.tfew.core.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A session lists its devices through the C API; every build has the host CPU. */
class TensorFlowDevicesTest {
  @Test
  void theCpuIsListed() {
    assertThat(TensorFlowDevices.list(SessionOptions.DEFAULT)).anySatisfy(d -> {
      assertThat(d.type()).isEqualTo("CPU");
      assertThat(d.name()).endsWith("/device:CPU:0");
      assertThat(d.memoryBytes()).isPositive();
    });
  }

  @Test
  void listingTwiceGivesTheSameDevices() {
    assertThat(TensorFlowDevices.list(new SessionOptions(1, false)))
        .isEqualTo(TensorFlowDevices.list(SessionOptions.DEFAULT));
  }
}
