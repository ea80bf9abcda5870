package io.tfew.core.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The native build is read from the class path: the tensorflow-core-native jar with a classifier. */
class NativeBuildTest {
  private static String classPath(String... entries) {
    return String.join(File.pathSeparator, entries);
  }

  @Test
  void theCpuBuildIsFoundAndIsNotAGpuBuild() {
    List<NativeBuild> builds = NativeBuild.onClassPath(classPath("/w/tfew-cli/target/classes",
        "/m2/org/tensorflow/tensorflow-core-native/1.1.0/tensorflow-core-native-1.1.0.jar",
        "/m2/org/tensorflow/tensorflow-core-native/1.1.0/tensorflow-core-native-1.1.0-linux-x86_64.jar",
        "/m2/org/tensorflow/tensorflow-core-api/1.1.0/tensorflow-core-api-1.1.0.jar"));

    assertThat(builds).containsExactly(new NativeBuild("1.1.0", "linux-x86_64",
        Path.of("/m2/org/tensorflow/tensorflow-core-native/1.1.0/tensorflow-core-native-1.1.0-linux-x86_64.jar")));
    assertThat(NativeBuild.usesGpu(builds)).isFalse();
  }

  @Test
  void theCudaBuildIsAGpuBuild() {
    List<NativeBuild> builds = NativeBuild.onClassPath(classPath("/w/classes",
        "/m2/tensorflow-core-native-1.1.0-linux-x86_64-gpu.jar"));

    assertThat(builds).extracting(NativeBuild::classifier).containsExactly("linux-x86_64-gpu");
    assertThat(NativeBuild.usesGpu(builds)).isTrue();
  }

  @Test
  void aClassPathWithoutANativeJarHasNoBuild() {
    assertThat(NativeBuild.onClassPath(classPath("/w/classes", "/m2/tensorflow-core-native-1.1.0.jar", ""))).isEmpty();
    assertThat(NativeBuild.usesGpu(List.of())).isFalse();
  }

  @Test
  void thisTestJvmHasExactlyOneNativeBuild() {
    // The CPU build by default, the CUDA build under -Pgpu: the reactor's class path has one either way.
    assertThat(NativeBuild.ofThisJvm()).hasSize(1);
  }
}
