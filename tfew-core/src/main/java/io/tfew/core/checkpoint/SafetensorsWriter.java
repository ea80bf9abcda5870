package io.tfew.core.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tfew.api.TfewException;
import io.tfew.core.files.AtomicFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes float32 tensors as a safetensors file laid out like Hugging Face's own writer:
 * {@code __metadata__} first, tensors sorted by name, header padded with spaces to 8 bytes.
 *
 * <p>The file is written beside the target and renamed over it only once complete, so a crash or
 * error never leaves a half-written target behind.
 */
public final class SafetensorsWriter {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int CHUNK_FLOATS = 1 << 18;

  private SafetensorsWriter() {}

  /**
   * One tensor's values, asked for when the writer reaches that tensor, so that a checkpoint larger than the
   * heap is never held whole (a random T0-3B is 11.4 GB).
   */
  @FunctionalInterface
  public interface Values {
    /** The values of tensor {@code name}, as many as its shape holds. */
    float[] of(String name);
  }

  /**
   * Writes {@code tensors} (name to tensor) and optional {@code metadata} to {@code file},
   * replacing it atomically if it exists.
   */
  public static void write(Path file, Map<String, FloatTensor> tensors, Map<String, String> metadata) {
    // Names and metadata are checked once, by the shapes' path.
    write(file, shapes(file, tensors), name -> tensors.get(name).data(), metadata);
  }

  /**
   * Writes tensors of the given shapes, taking each one's values from {@code values} in name order, one tensor
   * at a time; otherwise as {@link #write(Path, Map, Map)}.
   */
  public static void write(Path file, Map<String, long[]> shapes, Values values, Map<String, String> metadata) {
    TreeMap<String, long[]> sorted = validateShapes(file, shapes, metadata);
    byte[] header = header(file, sorted, metadata);
    AtomicFile.Pending pending;
    try {
      pending = AtomicFile.open(file);
    } catch (CheckpointException e) {
      throw e;
    } catch (TfewException e) {
      throw new CheckpointException(e.getMessage(), e);
    }
    try (pending) {
      FileChannel out = pending.channel();
      writeAll(out, ByteBuffer.wrap(header));
      ByteBuffer buf = ByteBuffer.allocate(CHUNK_FLOATS * 4).order(ByteOrder.LITTLE_ENDIAN);
      for (Map.Entry<String, long[]> e : sorted.entrySet()) {
        float[] data = values.of(e.getKey());
        long expected = elements(e.getValue());
        if (data == null || data.length != expected) {
          throw new CheckpointException(file + ": tensor \"" + e.getKey() + "\" has " + (data == null ? "no values"
              : data.length + " values") + " but its shape " + java.util.Arrays.toString(e.getValue()) + " holds "
              + expected + "; give values of the declared shape");
        }
        writeFloats(out, buf, data);
      }
      // AtomicFile syncs before the rename: it must not expose a file whose data is still in cache.
      pending.commit();
    } catch (IOException e) {
      throw new CheckpointException(file + ": cannot write safetensors file (" + e
          + "); check that the directory exists, is writable and has free space", e);
    } catch (CheckpointException e) {
      throw e;
    } catch (TfewException e) {
      throw new CheckpointException(e.getMessage(), e);
    }
  }

  private static Map<String, long[]> shapes(Path file, Map<String, FloatTensor> tensors) {
    if (tensors == null) {
      throw new CheckpointException(file + ": tensors map is null; pass an empty map for no tensors");
    }
    Map<String, long[]> shapes = new LinkedHashMap<>();
    for (Map.Entry<String, FloatTensor> e : tensors.entrySet()) {
      if (e.getValue() == null) {
        throw new CheckpointException(file + ": tensor \"" + e.getKey() + "\" is null; pass a FloatTensor");
      }
      shapes.put(e.getKey(), e.getValue().shape());
    }
    return shapes;
  }

  private static void validateMetadata(Path file, Map<String, String> metadata) {
    if (metadata != null) {
      for (Map.Entry<String, String> e : metadata.entrySet()) {
        if (e.getKey() == null || e.getValue() == null) {
          throw new CheckpointException(file + ": metadata entry " + e.getKey() + "=" + e.getValue()
              + " has a null key or value; metadata must map strings to strings");
        }
      }
    }
  }

  private static TreeMap<String, long[]> validateShapes(Path file, Map<String, long[]> shapes,
      Map<String, String> metadata) {
    if (shapes == null) {
      throw new CheckpointException(file + ": shapes map is null; pass an empty map for no tensors");
    }
    TreeMap<String, long[]> sorted = new TreeMap<>();
    for (Map.Entry<String, long[]> e : shapes.entrySet()) {
      String name = e.getKey();
      if (name == null || name.isEmpty() || name.equals(SafetensorsHeader.METADATA_KEY)) {
        throw new CheckpointException(file + ": invalid tensor name \"" + name
            + "\"; use a non-empty name other than \"__metadata__\"");
      }
      if (e.getValue() == null) {
        throw new CheckpointException(file + ": tensor \"" + name + "\" has no shape; pass its dimensions");
      }
      for (long d : e.getValue()) {
        if (d < 0) {
          throw new CheckpointException(file + ": tensor \"" + name + "\" has a negative dimension "
              + java.util.Arrays.toString(e.getValue()));
        }
      }
      sorted.put(name, e.getValue());
    }
    validateMetadata(file, metadata);
    return sorted;
  }

  private static long elements(long[] shape) {
    long n = 1;
    for (long d : shape) {
      n = Math.multiplyExact(n, d);
    }
    return n;
  }

  private static byte[] header(Path file, TreeMap<String, long[]> sorted, Map<String, String> metadata) {
    Map<String, Object> root = new LinkedHashMap<>();
    if (metadata != null && !metadata.isEmpty()) {
      root.put(SafetensorsHeader.METADATA_KEY, new TreeMap<>(metadata));
    }
    long offset = 0;
    for (Map.Entry<String, long[]> e : sorted.entrySet()) {
      long bytes = 4L * elements(e.getValue());
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("dtype", DType.F32.safetensorsName());
      entry.put("shape", e.getValue());
      entry.put("data_offsets", List.of(offset, offset + bytes));
      root.put(e.getKey(), entry);
      offset += bytes;
    }
    byte[] json;
    try {
      json = JSON.writeValueAsBytes(root);
    } catch (JsonProcessingException e) {
      throw new CheckpointException(file + ": cannot encode the header (" + e.getOriginalMessage()
          + "); check tensor names and metadata", e);
    }
    // Padding keeps the data section 8-byte aligned, as the reference writer does.
    int padded = (json.length + 7) & ~7;
    ByteBuffer out = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
    out.putLong(padded).put(json);
    while (out.hasRemaining()) {
      out.put((byte) ' ');
    }
    return out.array();
  }

  private static void writeFloats(FileChannel out, ByteBuffer buf, float[] data) throws IOException {
    for (int start = 0; start < data.length; start += CHUNK_FLOATS) {
      int n = Math.min(CHUNK_FLOATS, data.length - start);
      buf.clear();
      buf.asFloatBuffer().put(data, start, n);
      buf.limit(n * 4);
      writeAll(out, buf);
    }
  }

  private static void writeAll(FileChannel out, ByteBuffer buf) throws IOException {
    while (buf.hasRemaining()) {
      out.write(buf);
    }
  }
}
