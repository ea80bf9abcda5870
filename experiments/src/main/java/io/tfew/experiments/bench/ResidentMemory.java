package io.tfew.experiments.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * This process's resident memory from {@code /proc/self/status}: the JVM heap, TensorFlow's native
 * allocations and mapped files alike, which no JVM API sees together.
 */
public final class ResidentMemory {
  private ResidentMemory() {}

  /** Peak resident set size ({@code VmHWM}), or -1 where /proc is unavailable. */
  public static long peakBytes() {
    return field("VmHWM:");
  }

  /** Current resident set size ({@code VmRSS}), or -1 where /proc is unavailable. */
  public static long currentBytes() {
    return field("VmRSS:");
  }

  private static long field(String name) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith(name)) {
          String[] parts = line.substring(name.length()).trim().split("\\s+");
          return Long.parseLong(parts[0]) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }
}
