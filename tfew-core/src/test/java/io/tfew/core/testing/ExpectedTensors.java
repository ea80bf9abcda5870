package io.tfew.core.testing;

import io.tfew.core.checkpoint.SafetensorsReader;
import io.tfew.core.checkpoint.TensorInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;

/** Reads the fixtures' {@code expected.safetensors}, including its I64 id tensors. */
public final class ExpectedTensors implements AutoCloseable {
  private final SafetensorsReader reader;

  public ExpectedTensors(Path file) {
    this.reader = SafetensorsReader.open(file);
  }

  public Set<String> names() {
    return reader.tensors().keySet();
  }

  public long[] shape(String name) {
    return reader.tensors().get(name).shape();
  }

  public float[] floats(String name) {
    return reader.readFloats(name);
  }

  /** An I64 tensor narrowed to ints (ids and labels). */
  public int[] ints(String name) {
    TensorInfo info = reader.tensors().get(name);
    int n = (int) info.numel();
    ByteBuffer bytes = ByteBuffer.allocate(n * 8).order(ByteOrder.LITTLE_ENDIAN);
    try (FileChannel ch = FileChannel.open(reader.file(), StandardOpenOption.READ)) {
      ch.read(bytes, info.dataBegin());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    bytes.flip();
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      out[i] = (int) bytes.getLong();
    }
    return out;
  }

  /** Rows of a 2-D int tensor. */
  public int[][] intRows(String name) {
    long[] s = shape(name);
    int[] flat = ints(name);
    int cols = (int) s[s.length - 1];
    int[][] rows = new int[flat.length / cols][cols];
    for (int r = 0; r < rows.length; r++) {
      System.arraycopy(flat, r * cols, rows[r], 0, cols);
    }
    return rows;
  }

  @Override
  public void close() {
    reader.close();
  }
}
