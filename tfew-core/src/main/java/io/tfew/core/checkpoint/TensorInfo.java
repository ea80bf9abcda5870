package io.tfew.core.checkpoint;

import java.util.Arrays;
import java.util.Objects;

/**
 * Where one tensor lives in a safetensors file.
 *
 * @param name tensor name as written in the header
 * @param dtype element type on disk
 * @param shape dimensions, outermost first; empty for a scalar
 * @param dataBegin absolute byte offset of the first element in the file
 * @param dataEnd absolute byte offset one past the last element
 */
public record TensorInfo(String name, DType dtype, long[] shape, long dataBegin, long dataEnd) {

  public TensorInfo {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(dtype, "dtype");
    shape = shape.clone();
  }

  /** A copy, so callers cannot alter the header they were handed. */
  @Override
  public long[] shape() {
    return shape.clone();
  }

  /** Number of elements: the product of the shape (1 for a scalar). */
  public long numel() {
    long n = 1;
    for (long d : shape) {
      n = Math.multiplyExact(n, d);
    }
    return n;
  }

  /** Bytes the tensor occupies on disk. */
  public long byteLength() {
    return dataEnd - dataBegin;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TensorInfo t
        && name.equals(t.name)
        && dtype == t.dtype
        && Arrays.equals(shape, t.shape)
        && dataBegin == t.dataBegin
        && dataEnd == t.dataEnd;
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, dtype, Arrays.hashCode(shape), dataBegin, dataEnd);
  }

  @Override
  public String toString() {
    return name + " " + dtype + Arrays.toString(shape) + " @[" + dataBegin + ", " + dataEnd + ")";
  }
}
