package io.tfew.experiments.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What a benchmark reports about the machine it ran on, read from /proc where there is one. */
public final class Machine {
  private Machine() {}

  /** The CPU's model name, or the architecture where /proc/cpuinfo is missing. */
  public static String cpuModel() {
    try (var lines = Files.lines(Path.of("/proc/cpuinfo"))) {
      return lines.filter(l -> l.startsWith("model name")).map(l -> l.substring(l.indexOf(':') + 1).strip())
          .findFirst().orElse(System.getProperty("os.arch"));
    } catch (IOException | RuntimeException e) {
      return System.getProperty("os.arch");
    }
  }

  /** The 1, 5 and 15 minute load averages, comma-separated, or "unknown". */
  public static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return f[0] + "," + f[1] + "," + f[2];
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  /** Physical memory ({@code MemTotal}) in bytes, or -1. */
  public static long totalMemoryBytes() {
    try (var lines = Files.lines(Path.of("/proc/meminfo"))) {
      return lines.filter(l -> l.startsWith("MemTotal:")).map(l -> l.replaceAll("[^0-9]", ""))
          .mapToLong(Long::parseLong).map(kb -> kb * 1024).findFirst().orElse(-1);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }
}
