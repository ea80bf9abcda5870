package io.tfew.core.checkpoint;

import java.util.Arrays;
import java.util.Objects;

/**
 * A float32 tensor held on the heap, as handed to {@link SafetensorsWriter}.
 *
 * @param shape dimensions, outermost first; empty for a scalar
 * @param data row-major values; its length must equal the product of {@code shape}
 */
public record FloatTensor(long[] shape, float[] data) {

  public FloatTensor {
    Objects.requireNonNull(shape, "shape");
    Objects.requireNonNull(data, "data");
    shape = shape.clone();
    long n = 1;
    for (long d : shape) {
      if (d < 0) {
        throw new CheckpointException("FloatTensor: shape " + Arrays.toString(shape)
            + " has a negative dimension; dimensions must be >= 0");
      }
      try {
        n = Math.multiplyExact(n, d);
      } catch (ArithmeticException e) {
        throw new CheckpointException("FloatTensor: shape " + Arrays.toString(shape)
            + " has more elements than fit in a long; check the dimensions");
      }
    }
    if (n != data.length) {
      throw new CheckpointException("FloatTensor: shape " + Arrays.toString(shape) + " needs " + n
          + " values but data has " + data.length + "; pass an array of exactly that length");
    }
  }

  @Override
  public long[] shape() {
    return shape.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FloatTensor t && Arrays.equals(shape, t.shape) && Arrays.equals(data, t.data);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return "FloatTensor" + Arrays.toString(shape);
  }
}
