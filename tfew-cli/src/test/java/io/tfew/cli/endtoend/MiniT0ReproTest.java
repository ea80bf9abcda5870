package io.tfew.cli.endtoend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tfew.core.runtime.NativeBuild;
import io.tfew.experiments.run.FileDigests;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reproducibility of a short fixed recipe on the committed mini-T0 ({@code mini-t0/repro/ia3-short.yaml}:
 * (IA)^3, 25 steps, one held-out task and sample).
 *
 * <ol>
 *   <li>Its metrics match {@code mini-t0/repro/expected.json}: exactly (every float as printed) on the
 *       platform that recorded them, and within {@code tolerance} elsewhere, since oneDNN picks other kernels
 *       on another instruction set and float sums round differently.</li>
 *   <li>{@code tfew train --from provenance.json}, given nothing but the run's provenance record, repeats the
 *       run bit for bit: same metrics file, same adapter bytes.</li>
 * </ol>
 *
 * <p>To record new expected numbers after a deliberate change (a new checkpoint, a numerics change), run
 * this test with {@code -Dtfew.repro.record=true} and commit {@code expected.json}.
 */
class MiniT0ReproTest {
  private static final Path RECIPE = Path.of("../experiments/mini-t0/repro/ia3-short.yaml").toAbsolutePath();
  private static final Path EXPECTED = Path.of("../experiments/mini-t0/repro/expected.json").toAbsolutePath();
  private static final Path CHECKPOINT = Path.of("../models/mini-t0/model.safetensors").toAbsolutePath().normalize();
  private static final List<Integer> LOSS_STEPS = List.of(1, 5, 10, 25);

  @TempDir
  Path dir;

  @Test
  void shortRunMatchesTheCommittedNumbersAndRepeatsFromItsProvenance() throws IOException {
    assertThat(CHECKPOINT).as("the committed mini-T0 checkpoint").isRegularFile();
    Path run = dir.resolve("run");
    TrainEndToEndTest.cli("train", RECIPE.toString(), "--out", run.toString());
    ObjectNode measured = measure(run);
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    if (Boolean.getBoolean("tfew.repro.record")) {
      measured.put("tolerance_loss", 2e-3);
      measured.put("tolerance_accuracy", 0.02);
      json.writeValue(EXPECTED.toFile(), measured);
    }

    JsonNode expected = json.readTree(EXPECTED.toFile());
    assertThat(measured.get("checkpoint_sha256").asText()).as("expected.json was recorded for another "
        + "checkpoint; re-record it with -Dtfew.repro.record=true")
        .isEqualTo(expected.get("checkpoint_sha256").asText());
    boolean samePlatform = measured.get("platform").equals(expected.get("platform"));
    double lossTolerance = samePlatform ? 0 : expected.get("tolerance_loss").asDouble();
    double accuracyTolerance = samePlatform ? 0 : expected.get("tolerance_accuracy").asDouble();
    for (Integer step : LOSS_STEPS) {
      String key = String.valueOf(step);
      assertThat(measured.get("loss").get(key).asDouble()).as("loss at step " + step + " (platform "
          + measured.get("platform") + ", recorded on " + expected.get("platform") + ")")
          .isCloseTo(expected.get("loss").get(key).asDouble(), within(lossTolerance));
    }
    expected.get("accuracy").fields().forEachRemaining(e ->
        assertThat(measured.get("accuracy").get(e.getKey()).asDouble()).as("final accuracy, " + e.getKey())
            .isCloseTo(e.getValue().asDouble(), within(accuracyTolerance)));

    Path again = dir.resolve("again");
    TrainEndToEndTest.cli("train", "--from", run.resolve("provenance.json").toString(), "--out", again.toString());
    assertThat(Files.readAllLines(again.resolve("metrics.jsonl")))
        .isEqualTo(Files.readAllLines(run.resolve("metrics.jsonl")));
    assertThat(Files.readAllBytes(again.resolve("adapter/adapter_model.safetensors")))
        .isEqualTo(Files.readAllBytes(run.resolve("adapter/adapter_model.safetensors")));
  }

  /** Loss at a few steps, final accuracy per template and median, the checkpoint and the platform. */
  private static ObjectNode measure(Path run) throws IOException {
    ObjectMapper json = new ObjectMapper();
    ObjectNode out = json.createObjectNode();
    out.put("recipe", "experiments/mini-t0/repro/ia3-short.yaml");
    out.put("checkpoint_sha256", FileDigests.sha256(CHECKPOINT));
    out.put("platform", platform());
    ObjectNode loss = out.putObject("loss");
    ObjectNode accuracy = out.putObject("accuracy");
    for (String line : Files.readAllLines(run.resolve("metrics.jsonl"))) {
      JsonNode row = json.readTree(line);
      String phase = row.get("phase").asText();
      if (phase.equals("train") && LOSS_STEPS.contains(row.get("step").asInt())) {
        loss.put(row.get("step").asText(), row.get("loss").asDouble());
      } else if (phase.equals("final")) {
        accuracy.put(row.get("template").asText(), row.get("accuracy").asDouble());
      }
    }
    return out;
  }

  /**
   * OS, architecture, CPU vendor and family, and whether AVX-512 is there: what decides which kernels
   * oneDNN and Eigen run, and so how floats round. Under the CUDA build ({@code -Pgpu}) the kernels are the
   * GPU's, so the key says so and a record made on a CPU is held to the tolerance only.
   */
  static String platform() throws IOException {
    Map<String, String> cpu = new LinkedHashMap<>();
    Path info = Path.of("/proc/cpuinfo");
    boolean avx512 = false;
    if (Files.isReadable(info)) {
      for (String line : Files.readAllLines(info)) {
        int colon = line.indexOf(':');
        if (colon < 0) {
          continue;
        }
        String key = line.substring(0, colon).trim();
        String value = line.substring(colon + 1).trim();
        if (key.equals("vendor_id") || key.equals("cpu family")) {
          cpu.putIfAbsent(key, value);
        } else if (key.equals("flags")) {
          avx512 |= List.of(value.split(" ")).contains("avx512f");
        }
      }
    }
    return System.getProperty("os.name") + "-" + System.getProperty("os.arch") + " "
        + cpu.getOrDefault("vendor_id", "?")
        + " family " + cpu.getOrDefault("cpu family", "?") + (avx512 ? " avx512" : "")
        + (NativeBuild.usesGpu(NativeBuild.ofThisJvm()) ? " cuda" : "");
  }
}
