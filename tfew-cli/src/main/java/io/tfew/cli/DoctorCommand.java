package io.tfew.cli;

import io.tfew.core.runtime.NativeBuild;
import io.tfew.core.runtime.SessionOptions;
import io.tfew.core.runtime.TensorFlowDevices;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.tensorflow.TensorFlow;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code tfew doctor}: what this machine and this JVM give TensorFlow: the native build on the class path,
 * the devices a session sees, the CPU features and settings that decide its kernels, cores and memory.
 */
@Command(name = "doctor", mixinStandardHelpOptions = true,
    description = {"Print the TensorFlow version, the native build (CPU or CUDA) on the class path, the devices a "
        + "session sees, the CPU features and environment settings that choose TensorFlow's kernels, cores and memory.",
        "Exit status: 0; 1 when the CUDA build runs but TensorFlow sees no GPU."})
public final class DoctorCommand implements Callable<Integer> {
  /** CPU features that decide which kernels Eigen and oneDNN run, so they decide float rounding too. */
  static final List<String> CPU_FLAGS = List.of("avx2", "fma", "avx512f", "avx512_vnni", "avx512_bf16", "amx_tile");

  /** The environment variables tfew's launcher sets or reads, which the native library reads when it loads. */
  static final List<String> ENVIRONMENT = List.of("TF_ENABLE_ONEDNN_OPTS", "CUDA_VISIBLE_DEVICES",
      "TF_DETERMINISTIC_OPS", "TF_CUDNN_DETERMINISTIC", "TF_FORCE_GPU_ALLOW_GROWTH", "TF_CPP_MIN_LOG_LEVEL");

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    List<NativeBuild> builds = NativeBuild.ofThisJvm();
    List<TensorFlowDevices.Device> devices = TensorFlowDevices.list(SessionOptions.DEFAULT);
    Map<String, String> env = System.getenv();

    line(out, "TensorFlow", TensorFlow.version() + builds.stream().findFirst()
        .map(b -> " (TensorFlow-Java " + b.version() + ")").orElse(""));
    line(out, "native build", describe(builds));
    for (int i = 0; i < devices.size(); i++) {
      TensorFlowDevices.Device d = devices.get(i);
      line(out, i == 0 ? "devices" : "", String.format(Locale.ROOT, "%s  %s  %s", d.name(), d.type(),
          gib(d.memoryBytes())));
    }
    Optional<String> cpuinfo = read(Path.of("/proc/cpuinfo"));
    line(out, "cpu", cpuinfo.map(DoctorCommand::cpuModel).orElse("unknown (no /proc/cpuinfo)"));
    line(out, "cpu features", cpuinfo.map(DoctorCommand::cpuFeatures).orElse("unknown (no /proc/cpuinfo)"));
    line(out, "cores", Runtime.getRuntime().availableProcessors() + " available to this JVM");
    line(out, "memory", read(Path.of("/proc/meminfo")).flatMap(DoctorCommand::memTotalBytes)
        .map(b -> gib(b) + " installed, ").orElse("") + gib(Runtime.getRuntime().maxMemory()) + " Java heap limit");
    line(out, "java", System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")");
    for (String name : ENVIRONMENT) {
      line(out, name, describeSetting(name, env.get(name)));
    }
    out.flush();
    List<String> problems = problems(builds, devices);
    PrintWriter err = spec.commandLine().getErr();
    problems.forEach(p -> err.println("tfew: " + p));
    err.flush();
    return problems.isEmpty() ? 0 : 1;
  }

  private static void line(PrintWriter out, String key, String value) {
    out.printf(Locale.ROOT, "%-25s %s%n", key, value);
  }

  static String describe(List<NativeBuild> builds) {
    if (builds.isEmpty()) {
      return "unknown: no tensorflow-core-native-VERSION-CLASSIFIER.jar on the class path";
    }
    return builds.stream().map(b -> b.classifier() + (b.gpu() ? " (CUDA)" : " (CPU)") + ", " + b.jar())
        .collect(Collectors.joining("; "));
  }

  /** What is wrong for a run: the CUDA build loaded but no GPU device, so every op would fall back to the CPU. */
  static List<String> problems(List<NativeBuild> builds, List<TensorFlowDevices.Device> devices) {
    List<String> problems = new ArrayList<>();
    if (NativeBuild.usesGpu(builds) && devices.stream().noneMatch(d -> d.type().equals("GPU"))) {
      problems.add("the CUDA build is loaded but TensorFlow sees no GPU: check the NVIDIA driver, the CUDA and "
          + "cuDNN libraries TensorFlow " + TensorFlow.version() + " was built against, and CUDA_VISIBLE_DEVICES "
          + "(./tfew --gpu --log-level info doctor prints TensorFlow's reasons)");
    }
    return problems;
  }

  private static String describeSetting(String name, String value) {
    String shown = value == null ? "unset" : value.isEmpty() ? "(empty)" : value;
    return switch (name) {
      case "TF_ENABLE_ONEDNN_OPTS" -> shown + (value == null ? " (oneDNN off: ./tfew sets 1)" : "");
      case "CUDA_VISIBLE_DEVICES" -> shown + (value == null ? " (every GPU visible)" : "");
      default -> shown;
    };
  }

  /** The first {@code model name} of {@code /proc/cpuinfo}. */
  static String cpuModel(String cpuinfo) {
    return field(cpuinfo, "model name").orElse("unknown (no model name in /proc/cpuinfo)");
  }

  /** Which of {@link #CPU_FLAGS} the first CPU of {@code /proc/cpuinfo} has, and which it lacks. */
  static String cpuFeatures(String cpuinfo) {
    Optional<String> flags = field(cpuinfo, "flags");
    if (flags.isEmpty()) {
      return "unknown (no flags in /proc/cpuinfo)";
    }
    Set<String> has = Set.copyOf(Arrays.asList(flags.get().trim().split("\\s+")));
    String present = CPU_FLAGS.stream().filter(has::contains).collect(Collectors.joining(" "));
    String absent = CPU_FLAGS.stream().filter(f -> !has.contains(f)).collect(Collectors.joining(" "));
    return (present.isEmpty() ? "none of " + String.join(" ", CPU_FLAGS) : present)
        + (absent.isEmpty() || present.isEmpty() ? "" : "; not: " + absent);
  }

  /** {@code MemTotal} of {@code /proc/meminfo}, in bytes. */
  static Optional<Long> memTotalBytes(String meminfo) {
    return field(meminfo, "MemTotal").map(v -> v.trim().split("\\s+")).filter(p -> p.length == 2 && p[1].equals("kB"))
        .flatMap(p -> {
          try {
            return Optional.of(Long.parseLong(p[0]) * 1024);
          } catch (NumberFormatException e) {
            return Optional.empty();
          }
        });
  }

  private static Optional<String> field(String text, String key) {
    return text.lines().filter(l -> l.contains(":") && l.substring(0, l.indexOf(':')).trim().equals(key))
        .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst();
  }

  private static Optional<String> read(Path file) {
    try {
      return Files.isReadable(file) ? Optional.of(Files.readString(file)) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static String gib(long bytes) {
    double gib = bytes / (1024.0 * 1024 * 1024);
    return gib < 1 ? String.format(Locale.ROOT, "%.0f MiB", gib * 1024) : String.format(Locale.ROOT, "%.1f GiB", gib);
  }
}
