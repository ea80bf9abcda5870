package io.tfew.core.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.tfew.api.TfewException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bounded fuzz loop over the safetensors reader: random byte edits of a valid file (header and data)
 * either read or fail with a TfewException naming the file; never another exception, an error or a hang.
 * The timeout is a hang guard, not a speed test.
 */
class SafetensorsFuzzTest {
  @TempDir Path dir;

  @Test
  void mutatedFilesReadOrFailWithTfewExceptionsOnly() throws IOException {
    Path good = dir.resolve("good.safetensors");
    Map<String, FloatTensor> tensors = new LinkedHashMap<>();
    tensors.put("a.weight", new FloatTensor(new long[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6}));
    tensors.put("b.bias", new FloatTensor(new long[] {3}, new float[] {7, 8, 9}));
    SafetensorsWriter.write(good, tensors, Map.of("format", "pt"));
    byte[] bytes = Files.readAllBytes(good);
    Random random = new Random(15);
    Path file = dir.resolve("fuzz.safetensors");
    assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
      for (int i = 0; i < 2000; i++) {
        byte[] m = bytes.clone();
        for (int f = 0; f < 1 + random.nextInt(4); f++) {
          // Most edits land in the 8-byte length and the JSON header, where the parsing is.
          int at = random.nextInt(random.nextBoolean() ? Math.min(m.length, 160) : m.length);
          m[at] = switch (random.nextInt(4)) {
            case 0 -> (byte) random.nextInt(256);
            case 1 -> (byte) (m[at] ^ (1 << random.nextInt(8)));
            case 2 -> (byte) "0123456789-,[]{}\":".charAt(random.nextInt(18));
            default -> (byte) 0x7f;
          };
        }
        Files.write(file, m);
        try (SafetensorsReader r = SafetensorsReader.open(file)) {
          for (String name : r.tensors().keySet()) {
            r.readFloats(name);
          }
        } catch (TfewException expected) {
          assertThat(expected.getMessage()).contains(file.toString());
        }
      }
    });
  }
}
