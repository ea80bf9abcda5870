package io.tfew.cli.endtoend;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tfew.cli.TfewCli;
import io.tfew.core.model.T5Config;
import io.tfew.core.testing.TinyTask;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tfew train} end to end on a tiny random T5: (IA)^3 with the three T-Few losses lifts accuracy
 * from chance to at least 45 of 64 rows, the run directory holds what it promises, the saved adapter re-scores
 * identically through {@code tfew score --adapter}, and {@code --from provenance.json} repeats the run.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TrainEndToEndTest {
  private static final Path RECIPE = Path.of("../experiments/tiny/ia3-rank.yaml").toAbsolutePath();

  private Path dir;

  private Path out;
  private String stdout;

  @BeforeAll
  void train(@TempDir Path tempDir) throws IOException {
    dir = tempDir;
    TinyTask.write(dir);
    out = dir.resolve("run");
    stdout = cli("train", RECIPE.toString(), "--out", out.toString(),
        "--set", "model=" + dir.resolve("model"),
        "--set", "data.train.path=" + dir.resolve("train.jsonl"),
        "--set", "data.eval.path=" + dir.resolve("eval.jsonl"));
  }

  /**
   * The bar is 45 of the 64 eval rows (0.703): a classifier at chance reaches that with probability 0.08%
   * (binomial, p = 0.5). It is not one run's figure: across 28 seeds of this recipe the final accuracy ranged
   * from 0.47 to 0.95 (median 0.80) with the 16-bit draws of StatelessDropout, and from 0.44 to 1.00 (median
   * 0.84) with the 32-bit float draws before them, half or more of the seeds under 0.85 either way; the
   * earlier bar of 0.85, set from seed 1's 0.875-0.9, held for that seed's masks only. Seed 1 now ends at 0.75.
   */
  @Test
  void ia3RaisesAccuracyWellAboveChance() throws IOException {
    JsonNode zeroShot = metric("zero_shot");
    JsonNode last = metric("final");
    assertThat(zeroShot.get("accuracy").asDouble()).isBetween(0.3, 0.7);
    assertThat(last.get("accuracy").asDouble()).isGreaterThanOrEqualTo(45 / 64.0);
    assertThat(stdout).contains("final accuracy=");
  }

  @Test
  void theRunDirectoryHoldsConfigProvenanceMetricsPredictionsAndAdapter() throws IOException {
    assertThat(out.resolve("config.resolved.yaml")).exists();
    JsonNode provenance = new ObjectMapper().readTree(out.resolve("provenance.json").toFile());
    assertThat(provenance.get("seed").asInt()).isEqualTo(1);
    assertThat(provenance.get("files_sha256").get("data.train").asText()).hasSize(64);
    assertThat(provenance.get("files_sha256").get("model/model.safetensors").asText()).hasSize(64);
    assertThat(provenance.get("trainable_parameters").asLong()).isEqualTo(640);
    assertThat(provenance.get("base_parameters").asLong())
        .isEqualTo(T5Config.read(dir.resolve("model/config.json")).parameterCount())
        .isGreaterThan(640);
    assertThat(provenance.get("versions").get("tensorflow").asText()).isNotBlank();
    assertThat(out.resolve("adapter/adapter_config.json")).exists();
    assertThat(out.resolve("adapter/adapter_model.safetensors")).exists();
    assertThat(out.resolve("predictions/final-all.jsonl")).exists();
    long trainRows = Files.readAllLines(out.resolve("metrics.jsonl")).stream()
        .filter(l -> l.contains("\"phase\":\"train\"")).count();
    assertThat(trainRows).isEqualTo(150);
  }

  @Test
  void theSavedAdapterReScoresIdenticallyThroughTfewScore() throws IOException {
    String scored = cli("score", "--model", dir.resolve("model").toString(), "--data",
        dir.resolve("eval.jsonl").toString(), "--adapter", out.resolve("adapter").toString(), "--batch-size", "32");
    List<String> predicted = Files.readAllLines(out.resolve("predictions/final-all.jsonl"));
    List<String> rows = new ArrayList<>();
    for (String line : scored.split("\n")) {
      if (line.startsWith("{")) {
        rows.add(line);
      }
    }
    assertThat(rows).hasSize(predicted.size());
    ObjectMapper json = new ObjectMapper();
    for (int i = 0; i < rows.size(); i++) {
      assertThat(json.readTree(rows.get(i)).get("scores")).isEqualTo(json.readTree(predicted.get(i)).get("scores"));
    }
  }

  @Test
  void aRunRepeatsFromItsProvenanceRecordAlone() throws IOException {
    Path again = dir.resolve("again");
    cli("train", "--from", out.resolve("provenance.json").toString(), "--out", again.toString());
    assertThat(Files.readAllLines(again.resolve("metrics.jsonl")))
        .isEqualTo(Files.readAllLines(out.resolve("metrics.jsonl")));
    assertThat(Files.readAllBytes(again.resolve("adapter/adapter_model.safetensors")))
        .isEqualTo(Files.readAllBytes(out.resolve("adapter/adapter_model.safetensors")));
  }

  private JsonNode metric(String phase) throws IOException {
    ObjectMapper json = new ObjectMapper();
    for (String line : Files.readAllLines(out.resolve("metrics.jsonl"))) {
      JsonNode row = json.readTree(line);
      if (row.get("phase").asText().equals(phase) && row.get("template").asText().equals("median")) {
        return row;
      }
    }
    throw new AssertionError("no " + phase + " summary in metrics.jsonl");
  }

  static String cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status = TfewCli.run(args, new PrintWriter(out), new PrintWriter(err));
    assertThat(status).as("tfew %s failed:%n%s", String.join(" ", args), err).isZero();
    return out.toString();
  }
}
