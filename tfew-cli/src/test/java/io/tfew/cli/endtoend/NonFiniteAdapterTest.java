package io.tfew.cli.endtoend;

import static org.assertj.core.api.Assertions.assertThat;

import io.tfew.cli.TfewCli;
import io.tfew.core.adapter.AdapterDirectory;
import io.tfew.core.checkpoint.FloatTensor;
import io.tfew.core.checkpoint.SafetensorsReader;
import io.tfew.core.checkpoint.SafetensorsWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An adapter holding NaN, infinity or a finite value so large that scores overflow (3e38) is refused
 * with exit 2 and a message naming the tensor or the example: never NaN scores and a printed accuracy.
 */
class NonFiniteAdapterTest {
  private static final Path ADAPTER = Path.of("..", "models", "mini-t0-ia3", "adapter");
  private static final Path BASE = Path.of("..", "models", "mini-t0");

  @TempDir
  Path tmp;

  /**
   * A copy of the committed (IA)^3 adapter with value 0 of its first tensor (or, with {@code all}, every
   * value) replaced by {@code value}.
   */
  private Path poisoned(String name, float value, boolean all) throws IOException {
    Path dir = Files.createDirectories(tmp.resolve(name));
    for (String f : new String[] {AdapterDirectory.CONFIG_FILE, AdapterDirectory.TFEW_FILE}) {
      Files.copy(ADAPTER.resolve(f), dir.resolve(f));
    }
    Map<String, FloatTensor> tensors = new LinkedHashMap<>();
    try (SafetensorsReader r = SafetensorsReader.open(ADAPTER.resolve(AdapterDirectory.WEIGHTS_FILE))) {
      for (String key : r.tensors().keySet()) {
        tensors.put(key, new FloatTensor(r.tensors().get(key).shape(), r.readFloats(key)));
      }
    }
    String first = tensors.keySet().iterator().next();
    tensors.get(first).data()[0] = value;
    if (all) {
      tensors.values().forEach(t -> java.util.Arrays.fill(t.data(), value));
    }
    SafetensorsWriter.write(dir.resolve(AdapterDirectory.WEIGHTS_FILE), tensors, Map.of("format", "pt"));
    return dir;
  }

  private Path data() throws IOException {
    Path file = tmp.resolve("rank.jsonl");
    Files.writeString(file, "{\"input\": \"the cake seems very sad\", \"choices\": [\"bad\", \"good\"], \"label\": 0}\n"
        + "{\"input\": \"the table seems nice\", \"choices\": [\"bad\", \"good\"], \"label\": 1}\n");
    return file;
  }

  private static String[] score(Path adapter, Path data) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status = TfewCli.run(new String[] {"score", "--model", BASE.toString(), "--adapter", adapter.toString(),
        "--data", data.toString()}, new PrintWriter(out), new PrintWriter(err));
    return new String[] {String.valueOf(status), out.toString(), err.toString()};
  }

  @Test
  void nanAndInfinityAreRefusedAtLoadNamingTheTensor() throws IOException {
    Path data = data();
    for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY}) {
      Path dir = poisoned("adapter-" + bad, bad, false);
      String[] run = score(dir, data);
      assertThat(run[0]).as("stdout %s%nstderr %s", run[1], run[2]).isEqualTo("2");
      assertThat(run[2]).contains(dir.resolve(AdapterDirectory.WEIGHTS_FILE).toString())
          .contains("holds " + bad + " at index 0").doesNotContain("\tat ");
      assertThat(run[1]).doesNotContain("accuracy");
    }
  }

  @Test
  void finiteValuesThatOverflowTheScoresAreRefusedNamingTheExample() throws IOException {
    Path dir = poisoned("adapter-huge", 3e38f, true);
    String[] run = score(dir, data());
    assertThat(run[0]).as("stdout %s%nstderr %s", run[1], run[2]).isEqualTo("2");
    assertThat(run[2]).contains("example 1").contains("not a finite log-probability").doesNotContain("\tat ");
    assertThat(run[1]).doesNotContain("accuracy");
  }
}
