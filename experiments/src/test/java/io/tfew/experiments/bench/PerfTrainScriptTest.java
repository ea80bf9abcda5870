package io.tfew.experiments.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bench/perf-train}, which sorts perf's CPU samples of a steady training step by the code that spent
 * them. It runs on a copy of the script beside a stand-in {@code tfew} (a bench that prints a ceiling and a
 * round of 500 ms every 50 ms) and a stand-in {@code perf} (which sleeps for {@code record} and prints fixed
 * samples for {@code report}), so the grouping and the arithmetic are checked against numbers known here.
 */
class PerfTrainScriptTest {
  @TempDir Path repo;
  private Path bin;
  private Path proc;

  @BeforeEach
  void theScriptBesideStandIns() throws Exception {
    BenchScripts.copy("bench/perf-train", repo);
    executable(repo.resolve("tfew"), """
        #!/usr/bin/env bash
        echo "matmul ceiling: the step's 2 product shapes, each at its best rate (one at a time or two at once): \
        400.0 ms per step, 100.0 GFLOP/s"
        i=0
        while true; do i=$((i + 1)); echo "round $i: tfew_ms=[500] load_average=0.10,0.10,0.10"; sleep 0.05; done
        """);
    bin = repo.resolve("bin");
    Files.createDirectories(bin);
    Path samples = repo.resolve("samples.txt");
    Files.writeString(samples, """
               600  [JIT] tid 4571                [.] jit_avx512_common_gemm_f32_xbyak_gemm.9
               300  [JIT] tid 4571                [.] jit_brgemm_kernel_t.53
               200  libtensorflow_cc.so.2         [.] Eigen::internal::EvalRange<float>::run
               100  libtensorflow_cc.so.2         [.] tsl::random::PhiloxRandom::operator()
                50  [kernel.kallsyms]             [k] pvm_irq_enable
                40  [JIT] tid 4571                [.] jit_uni_reorder_kernel_f32.40
                10  [JIT] tid 4571                [.] 0x00007fa4fb5be1a1
                49  libc.so.6                     [.] __memmove_avx512_unaligned_erms
                 1  libjvm.so                     [.] JVM_Sleep
        """);
    executable(bin.resolve("perf"), """
        #!/usr/bin/env bash
        case "$1" in
          record) out=""; while [[ $# -gt 0 && "$1" != "--" ]]; do [[ "$1" == -o ]] && out="$2"; shift; done
                  shift; : > "$out"; exec "$@" ;;
          report) cat "%s" ;;
        esac
        """.formatted(samples));
    proc = repo.resolve("proc");
    Files.createDirectories(proc);
    Files.writeString(proc.resolve("cpuinfo"), "processor\t: 0\nmodel name\t: Test\n\nprocessor\t: 1\nmodel name\t: Test\n");
  }

  @Test
  void samplesAreGroupedAndTurnedIntoCpuMillisecondsPerStep() throws Exception {
    Run run = run(System.getenv("PATH"), "1");

    assertThat(run.status).as(run.output).isZero();
    // 1,350 samples at 999 Hz in 1 s; steps of 500 ms: 2 steps in the window.
    assertThat(run.output).contains("perf: 1350 samples at 999 Hz in 1 s: 1.35 of the machine's cores busy")
        .containsPattern("perf: [0-9]+ steps timed in the window, median 500.0 ms: 2.0 steps sampled");
    List<String> table = run.output.lines().dropWhile(l -> !l.startsWith("group")).skip(1)
        .takeWhile(l -> !l.startsWith("perf:")).toList();
    // Largest first; 900 samples in 2 steps at 999 Hz are 450.5 CPU ms per step.
    assertThat(table.get(0)).startsWith("oneDNN matrix products").endsWith("66.7%              450.5");
    assertThat(table).anyMatch(l -> l.startsWith("TensorFlow: other kernels") && l.endsWith("100.1"))
        .anyMatch(l -> l.startsWith("TensorFlow: Philox") && l.endsWith("50.1"))
        .anyMatch(l -> l.startsWith("oneDNN other kernels") && l.endsWith("20.0"))
        .anyMatch(l -> l.startsWith("JIT code without a name") && l.endsWith("5.0"))
        .anyMatch(l -> l.startsWith("Linux kernel") && l.endsWith("25.0"))
        .anyMatch(l -> l.startsWith("C and C++ libraries") && l.endsWith("24.5"))
        .anyMatch(l -> l.startsWith("JVM") && l.endsWith("0.5"))
        .hasSize(8);
    // The ceiling of 400 ms, on the stand-in /proc's 2 cores.
    assertThat(run.output).contains("perf: matrix products 450.5 CPU ms per step; at their ceiling (400.0 ms, timed "
        + "alone) they would take at most 800.0 CPU ms on this machine's 2 cores");
    // The bench's own lines come through, marked; the stand-in bench was stopped.
    assertThat(run.output).contains("bench: matmul ceiling: ");
    assertThat(ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").contains(repo.toString())))
        .isEmpty();
  }

  @Test
  void badArgumentsAndAMissingPerfAreRefusedWithExitTwo() throws Exception {
    Run seconds = run(System.getenv("PATH"), "0");
    assertThat(seconds.status).isEqualTo(2);
    assertThat(seconds.output).contains("SECONDS '0' must be a whole number from 1 to 9999");
    Run stray = run(System.getenv("PATH"), "5", "--rounds", "3");
    assertThat(stray.status).isEqualTo(2);
    assertThat(stray.output).contains("unexpected '--rounds'; put bench train's options after '--'");

    // A PATH with the script's tools but no perf.
    Path tools = repo.resolve("tools");
    Files.createDirectories(tools);
    for (String tool : List.of("bash", "dirname", "mktemp", "rm", "cat")) {
      Path found = List.of("/usr/bin", "/bin").stream().map(d -> Path.of(d, tool)).filter(Files::isExecutable)
          .findFirst().orElseThrow();
      Files.createSymbolicLink(tools.resolve(tool), found);
    }
    Run noPerf = run(tools.toString(), "1");
    assertThat(noPerf.status).isEqualTo(2);
    assertThat(noPerf.output).contains("bench/perf-train: perf is not installed");
  }

  private record Run(int status, String output) {}

  private Run run(String path, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(bash(), repo.resolve("bench/perf-train").toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).directory(repo.toFile()).redirectErrorStream(true);
    builder.environment().putAll(Map.of("BENCH_RECORD_PROC", proc.toString(),
        "PATH", path.equals(System.getenv("PATH")) ? bin + ":" + path : path));
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return new Run(process.waitFor(), output);
  }

  private static String bash() {
    return List.of("/usr/bin/bash", "/bin/bash").stream().filter(p -> Files.isExecutable(Path.of(p))).findFirst()
        .orElse("bash");
  }

  private static void executable(Path file, String text) throws Exception {
    Files.writeString(file, text);
    file.toFile().setExecutable(true);
  }
}
