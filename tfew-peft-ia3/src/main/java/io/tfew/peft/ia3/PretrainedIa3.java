package io.tfew.peft.ia3;

import io.tfew.api.TfewException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * (IA)^3 vectors read from a file, by the module path they rescale: the released t-few checkpoint
 * ({@code .pt}, e.g. {@code t03b_ia3_finish.pt}, keys {@code <module>.multi_lora_b} {@code [n, 1]}) or a
 * Hugging Face PEFT {@code adapter_model.safetensors} (keys {@code base_model.model.<module>.ia3_l},
 * {@code [n, 1]} or {@code [1, n]}).
 *
 * <p>The format is recognised by content (a zip is a torch file), not by extension. Every tensor must be
 * a vector (all axes but one of size 1) named like one of the above; anything else is an error naming it,
 * because a file holding other tensors is not an (IA)^3 file.
 *
 * <pre>{@code
 * PretrainedIa3 p = PretrainedIa3.read(Path.of("t03b_ia3_finish.pt"));
 * float[] lk = p.vector("encoder.block.0.layer.0.SelfAttention.k", "encoder.block.0.layer.0.SelfAttention.k", 2048);
 * }</pre>
 */
public final class PretrainedIa3 {
  private static final String TFEW_SUFFIX = ".multi_lora_b";
  private static final long MAX_HEADER = 100L << 20;

  /** One vector: the name it had in the file, its shape there, and its values. */
  public record Vector(String fileKey, long[] shape, float[] values) {}

  private final Path file;
  private final Map<String, Vector> byModule;

  private PretrainedIa3(Path file, Map<String, Vector> byModule) {
    this.file = file;
    this.byModule = Collections.unmodifiableMap(byModule);
  }

  /** Reads {@code file}; a zip is read as a torch.save archive, anything else as safetensors. */
  public static PretrainedIa3 read(Path file) {
    String fix = "; set init to 'ones' or to a t-few .pt or PEFT adapter_model.safetensors file";
    if (!Files.exists(file)) {
      throw new TfewException(file + ": (IA)^3 init file does not exist" + fix);
    }
    if (!Files.isRegularFile(file)) {
      // A device or FIFO would be read forever (or block): say what it is instead of opening it.
      throw new TfewException(file + ": (IA)^3 init file is " + (Files.isDirectory(file) ? "a directory" : "not a regular "
          + "file (a device, FIFO or socket)") + fix);
    }
    Map<String, float[]> values = new LinkedHashMap<>();
    Map<String, long[]> shapes = new LinkedHashMap<>();
    if (isZip(file)) {
      RestrictedUnpickler.readTorchZip(file).forEach((k, t) -> {
        values.put(k, t.values());
        shapes.put(k, t.shape());
      });
    } else {
      readSafetensors(file, values, shapes);
    }
    Map<String, Vector> byModule = new LinkedHashMap<>();
    for (Map.Entry<String, float[]> e : values.entrySet()) {
      String key = e.getKey();
      String module = moduleOf(key);
      if (module == null) {
        throw new TfewException(file + ": tensor '" + key + "' is not an (IA)^3 vector; expected names like "
            + "'base_model.model.<module>.ia3_l' (PEFT) or '<module>.multi_lora_b' (t-few)");
      }
      long[] shape = shapes.get(key);
      float[] v = e.getValue();
      for (int i = 0; i < v.length; i++) {
        if (!Float.isFinite(v[i])) {
          throw new TfewException(file + ": tensor '" + key + "' holds " + v[i] + " at index " + i
              + "; (IA)^3 vectors must be finite numbers, so the file is corrupt or comes from a diverged run "
              + "(use another init file, or init: ones)");
        }
      }
      if (Arrays.stream(shape).filter(d -> d != 1).count() > 1) {
        throw new TfewException(file + ": tensor '" + key + "' has shape " + Arrays.toString(shape)
            + "; an (IA)^3 vector has one axis longer than 1 ([n], [n, 1] or [1, n])");
      }
      Vector previous = byModule.put(module, new Vector(key, shape, e.getValue()));
      if (previous != null) {
        throw new TfewException(file + ": tensors '" + previous.fileKey() + "' and '" + key
            + "' both hold the vector of module " + module);
      }
    }
    if (byModule.isEmpty()) {
      throw new TfewException(file + ": holds no (IA)^3 vectors");
    }
    return new PretrainedIa3(file, byModule);
  }

  /** The module path a file key names, or {@code null} when it is not an (IA)^3 vector's key. */
  static String moduleOf(String key) {
    String k = key.startsWith(Ia3Method.PEFT_PREFIX) ? key.substring(Ia3Method.PEFT_PREFIX.length()) : key;
    for (String suffix : List.of(Ia3Method.SUFFIX, TFEW_SUFFIX)) {
      if (k.endsWith(suffix) && k.length() > suffix.length()) {
        return k.substring(0, k.length() - suffix.length());
      }
    }
    return null;
  }

  public Path file() {
    return file;
  }

  /** The module paths holding a vector, in file order. */
  public Set<String> modules() {
    return byModule.keySet();
  }

  public Map<String, Vector> vectors() {
    return byModule;
  }

  public boolean has(String module) {
    return byModule.containsKey(module);
  }

  /** Number of tensors in the file. */
  public int tensorCount() {
    return byModule.size();
  }

  /** Number of values over all tensors. */
  public long valueCount() {
    return byModule.values().stream().mapToLong(v -> v.values().length).sum();
  }

  /**
   * The vector stored for {@code source}, checked to have {@code n} values.
   *
   * @param source the module whose vector the file holds ({@code ...wi_1} for t-few's FFN vector)
   * @param site the module whose site it initialises, for messages
   * @throws TfewException naming the site and the file when the vector is absent or has another length
   */
  public float[] vector(String source, String site, int n) {
    Vector v = byModule.get(source);
    if (v == null) {
      throw new TfewException(file + ": has no (IA)^3 vector for site " + site
          + (source.equals(site) ? "" : " (looked for " + source + ")")
          + "; it holds " + byModule.size() + " vectors, e.g. " + byModule.keySet().iterator().next()
          + ". Is the file for another model, or does target_modules/feedforward differ from its placement?");
    }
    if (v.values().length != n) {
      throw new TfewException(file + ": tensor '" + v.fileKey() + "' has shape " + Arrays.toString(v.shape())
          + " but site " + site + " needs " + n + " values");
    }
    return v.values().clone();
  }

  private static boolean isZip(Path file) {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer magic = ByteBuffer.allocate(4);
      ch.read(magic, 0);
      return magic.position() == 4 && magic.get(0) == 'P' && magic.get(1) == 'K'
          && magic.get(2) == 3 && magic.get(3) == 4;
    } catch (IOException e) {
      throw new TfewException(file + ": cannot read (" + e.getMessage() + ")");
    }
  }

  private static void readFully(FileChannel ch, ByteBuffer buf, long at) throws IOException {
    long p = at;
    while (buf.hasRemaining()) {
      int n = ch.read(buf, p);
      if (n < 0) {
        throw new IOException("unexpected end of file at byte " + p);
      }
      p += n;
    }
  }

  /** A minimal safetensors reader: F32, F16 and BF16 tensors, bounds checked against the file. */
  private static void readSafetensors(Path file, Map<String, float[]> values, Map<String, long[]> shapes) {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      if (size < 8 || ch.read(len, 0) != 8) {
        throw new TfewException(file + ": neither a torch .pt (zip) nor a safetensors file: too short");
      }
      long headerLen = len.getLong(0);
      if (headerLen < 2 || headerLen > MAX_HEADER || headerLen > size - 8) {
        throw new TfewException(file + ": neither a torch .pt (zip) nor a safetensors file: header length "
            + headerLen + " does not fit the file of " + size + " bytes");
      }
      ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLen);
      readFully(ch, headerBytes, 8);
      Object header;
      try {
        header = MiniJson.parse(new String(headerBytes.array(), StandardCharsets.UTF_8));
      } catch (IllegalArgumentException e) {
        throw new TfewException(file + ": safetensors header is not valid JSON (" + e.getMessage() + ")");
      }
      if (!(header instanceof Map<?, ?> entries)) {
        throw new TfewException(file + ": safetensors header is not a JSON object");
      }
      long dataStart = 8 + headerLen;
      for (Map.Entry<?, ?> e : entries.entrySet()) {
        String name = (String) e.getKey();
        if (name.equals("__metadata__")) {
          continue;
        }
        if (moduleOf(name) == null) {
          // Checked before reading data, so a base checkpoint passed by mistake fails fast.
          throw new TfewException(file + ": tensor '" + name + "' is not an (IA)^3 vector; expected names like "
              + "'base_model.model.<module>.ia3_l' (PEFT) or '<module>.multi_lora_b' (t-few)");
        }
        if (!(e.getValue() instanceof Map<?, ?> info) || !(info.get("dtype") instanceof String dtype)
            || !(info.get("shape") instanceof List<?> shapeList) || !(info.get("data_offsets") instanceof List<?> off)
            || off.size() != 2 || !(off.get(0) instanceof Long begin) || !(off.get(1) instanceof Long end)) {
          throw new TfewException(file + ": header entry of '" + name + "' lacks dtype, shape or data_offsets");
        }
        long[] shape = new long[shapeList.size()];
        long numel = 1;
        for (int i = 0; i < shape.length; i++) {
          if (!(shapeList.get(i) instanceof Long d) || d < 0) {
            throw new TfewException(file + ": tensor '" + name + "' has an invalid shape " + shapeList);
          }
          shape[i] = d;
          numel = Math.multiplyExact(numel, d);
        }
        int width = switch (dtype) {
          case "F32" -> 4;
          case "F16", "BF16" -> 2;
          default -> throw new TfewException(file + ": tensor '" + name + "' has dtype " + dtype
              + "; (IA)^3 vectors are read as F32, F16 or BF16");
        };
        // Compared by subtraction: dataStart + end may overflow to a negative position.
        if (numel > Integer.MAX_VALUE / 4 || begin < 0 || end < begin || end > size - dataStart
            || end - begin != numel * width) {
          throw new TfewException(file + ": tensor '" + name + "' has data_offsets [" + begin + ", " + end
              + "] that do not hold " + numel + " " + dtype + " values inside the file");
        }
        ByteBuffer raw = ByteBuffer.allocate((int) (end - begin)).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, raw, dataStart + begin);
        raw.flip();
        float[] v = new float[(int) numel];
        for (int i = 0; i < v.length; i++) {
          v[i] = switch (dtype) {
            case "F32" -> raw.getFloat();
            case "F16" -> RestrictedUnpickler.halfToFloat(raw.getShort());
            default -> Float.intBitsToFloat((raw.getShort() & 0xffff) << 16);
          };
        }
        values.put(name, v);
        shapes.put(name, shape);
      }
    } catch (IOException e) {
      throw new TfewException(file + ": cannot read (" + e.getMessage() + ")");
    } catch (ArithmeticException e) {
      throw new TfewException(file + ": a tensor's shape overflows");
    }
  }
}
