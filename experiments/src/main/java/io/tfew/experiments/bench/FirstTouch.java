package io.tfew.experiments.bench;

import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.FloatDataBuffer;
import org.tensorflow.types.TFloat32;

/**
 * How fast this machine writes memory that no process has written yet, against memory already written. Loading
 * weights writes every value into memory TensorFlow has just allocated, and each page's first write is a page
 * fault, which on a virtual machine may also fault on the host: where that is slow, a load is slow however fast
 * the file is read. The two rates come from one tensor (TensorFlow's allocator, as for variables) written twice.
 * The first rate is a sample of one moment, not a bound: on this project's VM it varied between runs and within
 * one (a t5-base {@code bench load} filled its weights at 1.07 GB/s and then measured 0.28 GB/s here).
 *
 * <pre>{@code
 * FirstTouch t = FirstTouch.measure(256L << 20);
 * System.out.printf("fresh %.2f GB/s, written again %.2f GB/s%n", t.freshGbPerSecond(), t.againGbPerSecond());
 * }</pre>
 *
 * <p>Measure it after what it is compared with: freed memory that the process returns is cheaper to fault in
 * again, so measuring first would make the load that follows faster.
 *
 * @param freshGbPerSecond the first write of each page
 * @param againGbPerSecond the same bytes written a second time
 */
public record FirstTouch(long bytes, double freshGbPerSecond, double againGbPerSecond) {
  private static final int CHUNK = 1 << 20;

  /** Writes {@code bytes} (rounded down to whole floats) of zeros into a new tensor, twice. */
  public static FirstTouch measure(long bytes) {
    if (bytes < 4) {
      throw new IllegalArgumentException("bytes " + bytes + ": at least one float");
    }
    float[] zeros = new float[CHUNK];
    try (TFloat32 t = TFloat32.tensorOf(Shape.of(bytes / 4))) {
      FloatDataBuffer data = t.asRawTensor().data().asFloats();
      double fresh = write(data, zeros);
      double again = write(data, zeros);
      return new FirstTouch(4 * (bytes / 4), fresh, again);
    }
  }

  private static double write(FloatDataBuffer data, float[] zeros) {
    long n = data.size();
    long start = System.nanoTime();
    for (long offset = 0; offset < n; offset += zeros.length) {
      int length = (int) Math.min(zeros.length, n - offset);
      data.offset(offset).narrow(length).write(zeros, 0, length);
    }
    return 4.0 * n / ((System.nanoTime() - start) / 1e9) / 1e9;
  }
}
