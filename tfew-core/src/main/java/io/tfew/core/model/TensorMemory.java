package io.tfew.core.model;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.buffer.DataStorageVisitor;

/**
 * Direct byte buffers over a TensorFlow tensor's own native memory, so that a checkpoint reader can
 * {@code pread} weights straight into the tensor: TensorFlow-Java's data buffers only copy from Java
 * arrays, which costs a heap copy per value and, for a whole tensor, an array as large as the tensor.
 *
 * <p>A window is valid only while its tensor is open; use it and drop it before closing the tensor.
 */
final class TensorMemory {
  /** Windows stay well below a ByteBuffer's int capacity. */
  static final int MAX_WINDOW_BYTES = 1 << 30;

  private TensorMemory() {}

  /** A native-order buffer over bytes {@code [offset, offset + length)} of {@code tensor}'s data. */
  static ByteBuffer window(Tensor tensor, long offset, int length) {
    long size = tensor.numBytes();
    if (offset < 0 || length < 0 || offset + length > size) {
      throw new IndexOutOfBoundsException("bytes [" + offset + ", " + (offset + length) + ") of a " + size
          + "-byte tensor");
    }
    long base = tensor.asRawTensor().data().accept(new DataStorageVisitor<Long>() {
      @Override
      public Long visit(long address, long byteSize, long scale) {
        return address;
      }

      @Override
      public Long fallback() {
        // TensorFlow-Java allocates every tensor in native memory, so this means its buffers changed.
        throw new IllegalStateException("tensor data is not in native memory; cannot read into it directly");
      }
    });
    if (length == 0) {
      return ByteBuffer.allocate(0).order(ByteOrder.nativeOrder());
    }
    // A plain BytePointer copied from an address-only Pointer: it owns nothing, so dropping it frees nothing.
    long start = base + offset;
    // (Inside the subclass, a bare "address" would be Pointer's field, not a local.)
    Pointer at = new Pointer() {
      {
        this.address = start;
        this.limit = length;
        this.capacity = length;
      }
    };
    return new BytePointer(at).asBuffer().order(ByteOrder.nativeOrder());
  }
}
