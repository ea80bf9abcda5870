package io.tfew.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tfew.core.testing.SharedFixtures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher {@code ./tfew} chooses the build (CPU, or CUDA with {@code --gpu} / {@code TFEW_GPU=1}), the
 * Maven commands and the JVM's environment. It runs here on a copy in an empty directory, beside a stand-in
 * {@code mvnw} that records its arguments and writes a class path naming the profile it was given, and a
 * stand-in {@code java} that prints its arguments and environment: so the real script is tested, and the
 * CUDA build (a large download) is never fetched.
 */
class LauncherTest {
  @TempDir
  Path root;

  private Path calls;

  @BeforeEach
  void copyTheLauncherBesideStandIns() throws IOException {
    Files.copy(SharedFixtures.path("tfew"), root.resolve("tfew"), StandardCopyOption.COPY_ATTRIBUTES);
    calls = root.resolve("mvnw.calls");
    executable(root.resolve("mvnw"), """
        #!/usr/bin/env bash
        printf '%s\\n' "$*" >> "$(dirname "$0")/mvnw.calls"
        if [[ -n "${FAKE_MVN_ERROR:-}" ]]; then echo "[ERROR] $FAKE_MVN_ERROR"; exit 1; fi
        classifier=linux-x86_64
        for a in "$@"; do [[ "$a" == -Pgpu ]] && classifier=linux-x86_64-gpu; done
        for a in "$@"; do
          case "$a" in -Dmdep.outputFile=*) out="${a#-Dmdep.outputFile=}"; mkdir -p "$(dirname "$out")"
            printf '%s' "/m2/tensorflow-core-native-1.1.0-$classifier.jar" > "$out" ;;
          esac
        done
        """);
    Files.createDirectories(root.resolve("bin"));
    executable(root.resolve("bin/java"), """
        #!/usr/bin/env bash
        for a in "$@"; do echo "arg $a"; done
        for v in TF_DETERMINISTIC_OPS TF_CUDNN_DETERMINISTIC TF_FORCE_GPU_ALLOW_GROWTH TF_ENABLE_ONEDNN_OPTS; do echo "env $v=${!v-unset}"; done
        """);
  }

  /** The CUDA build exists for Linux x86_64 only; elsewhere the launcher refuses {@code --gpu}. */
  private static void assumeCudaPlatform() {
    assumeTrue(System.getProperty("os.name").equals("Linux") && System.getProperty("os.arch").equals("amd64"),
        "TensorFlow-Java's CUDA build is for Linux x86_64 only");
  }

  private static void executable(Path file, String text) throws IOException {
    Files.writeString(file, text);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  private record Launch(int exit, List<String> out, String err) {}

  private Launch launch(Map<String, String> env, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("bash", root.resolve("tfew").toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    // Only what the test gives: the launcher reads these, and the developer's shell may have set them.
    for (String v : List.of("TFEW_GPU", "TFEW_LOG_LEVEL", "TF_DETERMINISTIC_OPS", "TF_CUDNN_DETERMINISTIC",
        "TF_FORCE_GPU_ALLOW_GROWTH",
        "TF_ENABLE_ONEDNN_OPTS", "TF_CPP_MIN_LOG_LEVEL", "TFEW_JAVA_OPTS")) {
      pb.environment().remove(v);
    }
    pb.environment().put("PATH", root.resolve("bin") + ":" + System.getenv("PATH"));
    pb.environment().putAll(env);
    Path out = root.resolve("launch.out");
    Path err = root.resolve("launch.err");
    Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    p.getOutputStream().close();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("the launcher ends").isTrue();
    return new Launch(p.exitValue(), Files.readAllLines(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  private List<String> mavenCalls() throws IOException {
    return Files.readAllLines(calls);
  }

  private String classPath(Launch l) {
    int i = l.out().indexOf("arg -cp");
    assertThat(i).as("java gets -cp: %s", l.out()).isNotNegative();
    return l.out().get(i + 1).substring("arg ".length());
  }

  @Test
  void gpuBuildsWithTheGpuProfileIntoItsOwnClassPathAndSetsTheGpuSwitches() throws Exception {
    assumeCudaPlatform();
    Launch l = launch(Map.of(), "--gpu", "doctor");

    assertThat(l.exit()).as(l.err()).isZero();
    assertThat(mavenCalls()).hasSize(2).allSatisfy(call -> assertThat(call.split(" ")).contains("-Pgpu"));
    assertThat(mavenCalls().get(0)).endsWith(" install");
    assertThat(mavenCalls().get(1)).contains("-pl tfew-cli dependency:build-classpath",
        "-Dmdep.outputFile=" + root.resolve("tfew-cli/target/.tfew-cli-classpath-gpu.deps"));
    assertThat(classPath(l)).isEqualTo(root.resolve("tfew-cli/target/classes")
        + ":/m2/tensorflow-core-native-1.1.0-linux-x86_64-gpu.jar");
    assertThat(l.out()).containsSubsequence("arg io.tfew.cli.TfewCli", "arg doctor")
        .doesNotContain("arg --gpu")
        .contains("env TF_DETERMINISTIC_OPS=1", "env TF_CUDNN_DETERMINISTIC=1", "env TF_FORCE_GPU_ALLOW_GROWTH=true",
            "env TF_ENABLE_ONEDNN_OPTS=1");
    assertThat(root.resolve("tfew-cli/target/.tfew-cli-classpath")).doesNotExist();
  }

  @Test
  void tfewGpuOneIsTheSameAsTheOption() throws Exception {
    assumeCudaPlatform();
    Launch l = launch(Map.of("TFEW_GPU", "1"), "doctor");

    assertThat(l.exit()).as(l.err()).isZero();
    assertThat(mavenCalls()).allSatisfy(call -> assertThat(call.split(" ")).contains("-Pgpu"));
    assertThat(classPath(l)).endsWith("-linux-x86_64-gpu.jar");
    assertThat(l.out()).contains("env TF_DETERMINISTIC_OPS=1");
  }

  @Test
  void withoutGpuTheCpuBuildRunsAndNoGpuSwitchIsSet() throws Exception {
    Launch l = launch(Map.of("TFEW_GPU", "0"), "doctor");

    assertThat(l.exit()).as(l.err()).isZero();
    assertThat(mavenCalls()).hasSize(2).noneSatisfy(call -> assertThat(call).contains("-Pgpu"));
    assertThat(classPath(l)).isEqualTo(root.resolve("tfew-cli/target/classes")
        + ":/m2/tensorflow-core-native-1.1.0-linux-x86_64.jar");
    assertThat(l.out()).contains("env TF_DETERMINISTIC_OPS=unset", "env TF_CUDNN_DETERMINISTIC=unset",
        "env TF_FORCE_GPU_ALLOW_GROWTH=unset");
    assertThat(root.resolve("tfew-cli/target/.tfew-cli-classpath-gpu")).doesNotExist();
  }

  @Test
  void theCpuAndGpuClassPathsLiveSideBySideWithoutRebuilding() throws Exception {
    assumeCudaPlatform();
    launch(Map.of(), "doctor");
    launch(Map.of(), "--gpu", "doctor");
    Files.delete(calls);

    Launch cpu = launch(Map.of(), "doctor");
    Launch gpu = launch(Map.of(), "--log-level", "warning", "--gpu", "doctor");

    assertThat(calls).as("no build: both class paths are current").doesNotExist();
    assertThat(classPath(cpu)).endsWith("-linux-x86_64.jar");
    assertThat(classPath(gpu)).endsWith("-linux-x86_64-gpu.jar");
  }

  @Test
  void anExportedSwitchWinsOverTheLaunchersDefault() throws Exception {
    assumeCudaPlatform();
    Launch l = launch(Map.of("TF_DETERMINISTIC_OPS", "0"), "--gpu", "doctor");

    assertThat(l.out()).contains("env TF_DETERMINISTIC_OPS=0", "env TF_CUDNN_DETERMINISTIC=1");
  }

  @Test
  void aGpuBuildThatCannotBeDownloadedIsOneMessageAndExitTwo() throws Exception {
    assumeCudaPlatform();
    Launch l = launch(Map.of("FAKE_MVN_ERROR", "Failed to execute goal on project tfew-core: Could not resolve "
        + "dependencies for project io.tfew:tfew-core:jar:0.1.0-SNAPSHOT: Cannot access central "
        + "(https://repo.maven.apache.org/maven2) in offline mode and the artifact "
        + "org.tensorflow:tensorflow-core-native:jar:linux-x86_64-gpu:1.1.0 has not been downloaded from it before."),
        "--gpu", "doctor");

    assertThat(l.exit()).isEqualTo(2);
    assertThat(l.err().lines().filter(line -> !line.startsWith("tfew: building"))).singleElement()
        .asString().startsWith("tfew: --gpu: Maven could not get TensorFlow's CUDA build "
            + "(org.tensorflow:tensorflow-core-native:jar:linux-x86_64-gpu:1.1.0)")
        .contains("without --gpu");
    assertThat(l.out()).as("java never ran").isEmpty();
    assertThat(root.resolve("tfew-cli/target/.tfew-cli-classpath-gpu")).doesNotExist();
  }

  @Test
  void aCpuBuildFailureStillShowsMavensOutput() throws Exception {
    Launch l = launch(Map.of("FAKE_MVN_ERROR", "COMPILATION ERROR: Foo.java:[3,1] class, interface expected"),
        "doctor");

    assertThat(l.exit()).isEqualTo(1);
    assertThat(l.err()).contains("[ERROR] COMPILATION ERROR", "tfew: the build failed");
  }

  @Test
  void anUnknownTfewGpuValueIsRefused() throws Exception {
    Launch l = launch(Map.of("TFEW_GPU", "yes"), "doctor");

    assertThat(l.exit()).isEqualTo(2);
    assertThat(l.err()).isEqualTo("tfew: TFEW_GPU is 'yes'; use 1 (TensorFlow's CUDA build) or 0 (the CPU build, "
        + "the default)\n");
    assertThat(calls).doesNotExist();
  }
}
