package io.tfew.core.checkpoint;

import io.tfew.core.files.FileKind;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/**
 * Reads tensors from one safetensors file.
 *
 * <p>The header is validated completely on {@link #open}, so a corrupt or hostile file fails there
 * with a {@link CheckpointException} rather than later with an arbitrary exception. Tensor data is
 * streamed with positional reads in bounded chunks, so a multi-gigabyte tensor never has to fit on
 * the heap twice. Reads are safe from several threads at once.
 *
 * <pre>{@code
 * try (SafetensorsReader r = SafetensorsReader.open(Path.of("model.safetensors"))) {
 *   float[] emb = r.readFloats("shared.weight");
 * }
 * }</pre>
 */
public final class SafetensorsReader implements AutoCloseable {
  static final int DEFAULT_CHUNK_BYTES = 1 << 20;

  /** The JVM cannot allocate arrays quite as long as Integer.MAX_VALUE. */
  static final long MAX_ARRAY_ELEMENTS = Integer.MAX_VALUE - 8;

  private final Path file;
  private final FileChannel channel;
  private final SafetensorsHeader header;
  private final int chunkBytes;

  private SafetensorsReader(Path file, FileChannel channel, SafetensorsHeader header, int chunkBytes) {
    this.file = file;
    this.channel = channel;
    this.header = header;
    this.chunkBytes = chunkBytes;
  }

  /** Opens {@code file} and validates its header. */
  public static SafetensorsReader open(Path file) {
    return open(file, DEFAULT_CHUNK_BYTES);
  }

  static SafetensorsReader open(Path file, int chunkBytes) {
    if (chunkBytes < 8) {
      throw new IllegalArgumentException("chunkBytes must be >= 8: " + chunkBytes);
    }
    FileKind kind = FileKind.followed(file);
    if (kind != FileKind.REGULAR && kind != FileKind.ABSENT) {
      // Opening a FIFO would block until a writer comes, and a device reads forever: refuse both unopened.
      throw new CheckpointException(file + ": is " + kind.words() + ", not a regular file; a safetensors "
          + "file must be a regular file: check the path");
    }
    FileChannel channel;
    try {
      channel = FileChannel.open(file, StandardOpenOption.READ);
    } catch (NoSuchFileException e) {
      throw new CheckpointException(file + ": no such file; check the path or download the weights");
    } catch (IOException e) {
      throw new CheckpointException(file + ": cannot open for reading (" + e
          + "); check that it is a readable file", e);
    }
    try {
      return new SafetensorsReader(file, channel, SafetensorsHeader.read(file, channel), chunkBytes);
    } catch (IOException e) {
      closeQuietly(channel);
      throw new CheckpointException(file + ": cannot read the header (" + e
          + "); check that it is a readable regular file", e);
    } catch (RuntimeException e) {
      closeQuietly(channel);
      throw e;
    }
  }

  public Path file() {
    return file;
  }

  /** Tensors in header order; never contains {@code "__metadata__"}. */
  public Map<String, TensorInfo> tensors() {
    return header.tensors;
  }

  /** The header's {@code "__metadata__"} map, empty when absent. */
  public Map<String, String> metadata() {
    return header.metadata;
  }

  /** The tensor's header entry, or a {@link CheckpointException} naming this file. */
  public TensorInfo info(String name) {
    TensorInfo info = header.tensors.get(name);
    if (info == null) {
      throw new CheckpointException(file + ": no tensor named \"" + name + "\" (the file has "
          + header.tensors.size() + " tensors); check the name against the checkpoint");
    }
    return info;
  }

  /** Streams a tensor to {@code sink} as float32 in chunks of at most about a mebibyte. */
  public void readFloats(String name, FloatSink sink) {
    TensorInfo info = info(name);
    DType dtype = info.dtype();
    if (!dtype.isFloatReadable()) {
      throw new CheckpointException(file + ": tensor \"" + name + "\" has dtype " + dtype
          + ", which cannot be read as floats (supported: F32, F16, BF16, F64); convert the checkpoint"
          + " to a floating point type");
    }
    int width = dtype.byteSize();
    long total = info.numel();
    int perChunk = (int) Math.min(chunkBytes / width, Math.max(total, 1));
    ByteBuffer bytes = ByteBuffer.allocate(perChunk * width);
    float[] values = new float[perChunk];
    long done = 0;
    try {
      while (done < total) {
        int count = (int) Math.min(perChunk, total - done);
        bytes.clear().limit(count * width);
        if (!SafetensorsHeader.readFully(channel, bytes, info.dataBegin() + done * width)) {
          throw new CheckpointException(file + ": file ends inside tensor \"" + name + "\" (element "
              + done + " of " + total + "); it was truncated after opening; re-download or re-export it");
        }
        bytes.flip();
        FloatDecoder.decode(dtype, bytes, values, count);
        sink.accept(done, values, count);
        done += count;
      }
    } catch (ClosedChannelException e) {
      throw new IllegalStateException(file + ": reader is closed", e);
    } catch (IOException e) {
      throw new CheckpointException(file + ": I/O error reading tensor \"" + name + "\" (" + e
          + "); check the disk and re-download the file if it is damaged", e);
    }
  }

  /**
   * Reads elements {@code [firstElement, firstElement + target.remaining() / 4)} of a tensor as float32 into
   * {@code target}, in {@code target}'s byte order, advancing its position to its limit. Meant for a direct
   * buffer over native memory (a TensorFlow tensor's own): a little-endian float32 tensor goes from the file
   * straight into it with no heap copy, and f16, bf16 and f64 are widened chunk by chunk, so no whole-tensor
   * array is ever made.
   */
  public void readFloat32(String name, long firstElement, ByteBuffer target) {
    TensorInfo info = info(name);
    DType dtype = info.dtype();
    if (!dtype.isFloatReadable()) {
      throw new CheckpointException(file + ": tensor \"" + name + "\" has dtype " + dtype
          + ", which cannot be read as floats (supported: F32, F16, BF16, F64); convert the checkpoint"
          + " to a floating point type");
    }
    long total = info.numel();
    if (target.remaining() % Float.BYTES != 0 || firstElement < 0
        || firstElement + target.remaining() / Float.BYTES > total) {
      throw new IllegalArgumentException(file + ": tensor \"" + name + "\" has " + total + " elements; cannot read "
          + target.remaining() + " bytes of float32 from element " + firstElement);
    }
    int width = dtype.byteSize();
    long count = target.remaining() / Float.BYTES;
    long begin = info.dataBegin() + firstElement * width;
    try {
      if (dtype == DType.F32 && target.order() == ByteOrder.LITTLE_ENDIAN) {
        if (!SafetensorsHeader.readFully(channel, target, begin)) {
          throw truncated(name, firstElement, total);
        }
        return;
      }
      int perChunk = (int) Math.min(chunkBytes / width, Math.max(count, 1));
      ByteBuffer bytes = ByteBuffer.allocate(perChunk * width);
      FloatBuffer out = target.slice().order(target.order()).asFloatBuffer();
      long done = 0;
      while (done < count) {
        int n = (int) Math.min(perChunk, count - done);
        bytes.clear().limit(n * width);
        if (!SafetensorsHeader.readFully(channel, bytes, begin + done * width)) {
          throw truncated(name, firstElement + done, total);
        }
        bytes.flip();
        FloatDecoder.decode(dtype, bytes, out, n);
        done += n;
      }
      target.position(target.limit());
    } catch (ClosedChannelException e) {
      throw new IllegalStateException(file + ": reader is closed", e);
    } catch (IOException e) {
      throw new CheckpointException(file + ": I/O error reading tensor \"" + name + "\" (" + e
          + "); check the disk and re-download the file if it is damaged", e);
    }
  }

  private CheckpointException truncated(String name, long element, long total) {
    return new CheckpointException(file + ": file ends inside tensor \"" + name + "\" (element "
        + element + " of " + total + "); it was truncated after opening; re-download or re-export it");
  }

  /** Reads a whole tensor into a new array; for tensors that comfortably fit on the heap. */
  public float[] readFloats(String name) {
    TensorInfo info = info(name);
    long n = info.numel();
    if (n > MAX_ARRAY_ELEMENTS) {
      throw new CheckpointException(file + ": tensor \"" + name + "\" has " + n
          + " elements, more than a Java array can hold; use readFloats(name, sink) to stream it");
    }
    float[] out = new float[(int) n];
    readFloats(name, (offset, values, count) -> System.arraycopy(values, 0, out, (int) offset, count));
    return out;
  }

  @Override
  public void close() {
    closeQuietly(channel);
  }

  private static void closeQuietly(FileChannel channel) {
    try {
      channel.close();
    } catch (IOException ignored) {
      // Read-only channel: nothing was buffered that could be lost.
    }
  }
}
