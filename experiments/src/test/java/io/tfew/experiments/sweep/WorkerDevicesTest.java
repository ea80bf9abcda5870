package io.tfew.experiments.sweep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tfew.api.TfewException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which GPUs local workers share, from --devices, the sweep's own CUDA_VISIBLE_DEVICES or the driver's list. */
class WorkerDevicesTest {
  @TempDir
  Path tmp;

  @Test
  void workersTakeTheDevicesInTurn() {
    WorkerDevices d = WorkerDevices.of("0,1");

    assertThat(List.of(0, 1, 2, 3, 4)).map(i -> d.forWorker(i).orElseThrow()).containsExactly("0", "1", "0", "1", "0");
    assertThat(WorkerDevices.NONE.forWorker(0)).isEmpty();
  }

  @Test
  void devicesMayBeUuidsWithSpacesAroundThem() {
    assertThat(WorkerDevices.of("GPU-8a1f2c3d-0000-1111-2222-333344445555, 3").devices())
        .containsExactly("GPU-8a1f2c3d-0000-1111-2222-333344445555", "3");
  }

  @Test
  void anEmptyOrRepeatedDeviceIsRefused() {
    assertThatThrownBy(() -> WorkerDevices.of("0,,1")).isInstanceOf(TfewException.class)
        .hasMessageStartingWith("--devices 0,,1: give device ids separated by commas");
    assertThatThrownBy(() -> WorkerDevices.of("0;1")).isInstanceOf(TfewException.class);
    assertThatThrownBy(() -> WorkerDevices.of("1,0,1")).isInstanceOf(TfewException.class)
        .hasMessageContaining("named twice");
  }

  @Test
  void theSweepsOwnCudaVisibleDevicesIsWhatItSharesOut() {
    assertThat(WorkerDevices.visible(Map.of("CUDA_VISIBLE_DEVICES", "2,5"), tmp.resolve("absent")).devices())
        .containsExactly("2", "5");
  }

  @Test
  void aCudaVisibleDevicesThatHidesEveryGpuIsRefused() {
    for (String hidden : List.of("", "-1")) {
      assertThatThrownBy(() -> WorkerDevices.visible(Map.of("CUDA_VISIBLE_DEVICES", hidden), tmp))
          .isInstanceOf(TfewException.class).hasMessageContaining("hides every GPU");
    }
  }

  @Test
  void withoutTheVariableEachGpuTheDriverListsIsADevice() throws IOException {
    Files.createDirectories(tmp.resolve("0000:3b:00.0"));
    Files.createDirectories(tmp.resolve("0000:86:00.0"));
    Files.createDirectories(tmp.resolve("0000:af:00.0"));

    assertThat(WorkerDevices.visible(Map.of(), tmp).devices()).containsExactly("0", "1", "2");
  }

  @Test
  void noGpuAnywhereIsAnErrorThatSaysHowToNameThem() {
    assertThatThrownBy(() -> WorkerDevices.visible(Map.of(), tmp.resolve("absent"))).isInstanceOf(TfewException.class)
        .hasMessageContaining("finds no GPU").hasMessageContaining("--devices 0,1");
  }
}
