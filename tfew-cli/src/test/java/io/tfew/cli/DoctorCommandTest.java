package io.tfew.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tfew.core.runtime.NativeBuild;
import io.tfew.core.runtime.TensorFlowDevices;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code tfew doctor} in-process, and the pieces it reads from /proc and the class path. */
class DoctorCommandTest {
  private static final NativeBuild CPU = new NativeBuild("1.1.0", "linux-x86_64",
      Path.of("/m2/tensorflow-core-native-1.1.0-linux-x86_64.jar"));
  private static final NativeBuild CUDA = new NativeBuild("1.1.0", "linux-x86_64-gpu",
      Path.of("/m2/tensorflow-core-native-1.1.0-linux-x86_64-gpu.jar"));
  private static final TensorFlowDevices.Device HOST =
      new TensorFlowDevices.Device("/job:localhost/replica:0/task:0/device:CPU:0", "CPU", 268435456L);
  private static final TensorFlowDevices.Device GPU0 =
      new TensorFlowDevices.Device("/job:localhost/replica:0/task:0/device:GPU:0", "GPU", 80L << 30);

  @Test
  void printsTheVersionTheCpuBuildAndTheCpuDevice() {
    CliRun run = CliRun.of("doctor");

    assertThat(run.exit()).as(run.toString()).isZero();
    assertThat(run.err()).isEmpty();
    assertThat(run.outLines()).anySatisfy(l -> assertThat(l).matches("TensorFlow +2\\.\\d+\\.\\d+.*"))
        .anySatisfy(l -> assertThat(l).matches("native build +linux-x86_64 \\(CPU\\), .*tensorflow-core-native-.*-linux-x86_64\\.jar"))
        .anySatisfy(l -> assertThat(l).matches("devices +/job:localhost/replica:0/task:0/device:CPU:0 +CPU .*"))
        .anySatisfy(l -> assertThat(l).matches("cores +" + Runtime.getRuntime().availableProcessors() + " .*"))
        .anySatisfy(l -> assertThat(l).startsWith("CUDA_VISIBLE_DEVICES"))
        .anySatisfy(l -> assertThat(l).startsWith("TF_ENABLE_ONEDNN_OPTS"));
  }

  @Test
  void theCudaBuildWithoutAGpuDeviceIsAProblemAndTheCpuBuildIsNot() {
    assertThat(DoctorCommand.problems(List.of(CUDA), List.of(HOST))).singleElement().asString()
        .startsWith("the CUDA build is loaded but TensorFlow sees no GPU");
    assertThat(DoctorCommand.problems(List.of(CUDA), List.of(HOST, GPU0))).isEmpty();
    assertThat(DoctorCommand.problems(List.of(CPU), List.of(HOST))).isEmpty();
  }

  @Test
  void theBuildIsNamedWithItsJarOrSaidToBeUnknown() {
    assertThat(DoctorCommand.describe(List.of(CUDA)))
        .isEqualTo("linux-x86_64-gpu (CUDA), /m2/tensorflow-core-native-1.1.0-linux-x86_64-gpu.jar");
    assertThat(DoctorCommand.describe(List.of())).startsWith("unknown: no tensorflow-core-native");
  }

  @Test
  void cpuFeaturesComeFromTheFirstFlagsLine() {
    String cpuinfo = """
        processor\t: 0
        vendor_id\t: AuthenticAMD
        model name\t: AMD EPYC 7B13
        flags\t\t: fpu sse2 avx avx2 fma bmi2
        processor\t: 1
        flags\t\t: fpu avx512f
        """;

    assertThat(DoctorCommand.cpuModel(cpuinfo)).isEqualTo("AMD EPYC 7B13");
    assertThat(DoctorCommand.cpuFeatures(cpuinfo)).isEqualTo("avx2 fma; not: avx512f avx512_vnni avx512_bf16 amx_tile");
    assertThat(DoctorCommand.cpuFeatures("flags : sse2\n")).startsWith("none of avx2");
    assertThat(DoctorCommand.cpuFeatures("processor : 0\n")).startsWith("unknown");
  }

  @Test
  void memoryIsMemTotalInKibibytes() {
    assertThat(DoctorCommand.memTotalBytes("MemTotal:       24576000 kB\nMemFree: 1 kB\n")).contains(24576000L * 1024);
    assertThat(DoctorCommand.memTotalBytes("MemFree: 1 kB\n")).isEmpty();
  }
}
