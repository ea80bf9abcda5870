package io.tfew.cli.endtoend;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tfew.core.testing.RandomAdapters;
import io.tfew.core.testing.TinyTask;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code tfew score --adapter a=DIR --adapter b=DIR} on rows whose {@code task} field mixes the two
 * tasks gives every row the scores that its own adapter gives it when its task's rows are scored
 * alone with plain {@code --adapter DIR}. The two adapters are written through core's own save path
 * with different random values, so they disagree and a wrong slot would show.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MixedTaskScoreTest {
  // A mixed batch changes padding and batch shapes, so kernels may sum in another order; the
  // measured gap was 9.5e-7 (two float32 ulps of these log-probs). A wrong adapter slot moves
  // scores by 0.4 or more, so 1e-5 still separates right from wrong by four orders of magnitude.
  private static final double TOLERANCE = 1e-5;
  private final ObjectMapper json = new ObjectMapper();
  private Path dir;

  @BeforeAll
  void task(@TempDir Path tempDir) throws IOException {
    dir = tempDir;
    TinyTask.write(dir);
    // Tasks a and b interleaved irregularly, so most batches of 5 hold both.
    List<String> rows = Files.readAllLines(dir.resolve("eval.jsonl"));
    SplittableRandom r = new SplittableRandom(3);
    StringBuilder mixed = new StringBuilder();
    StringBuilder a = new StringBuilder();
    StringBuilder b = new StringBuilder();
    for (String row : rows.subList(0, 24)) {
      String task = r.nextBoolean() ? "a" : "b";
      String tagged = row.substring(0, row.length() - 1) + ", \"task\": \"" + task + "\"}\n";
      mixed.append(tagged);
      (task.equals("a") ? a : b).append(tagged);
    }
    Files.writeString(dir.resolve("mixed.jsonl"), mixed);
    Files.writeString(dir.resolve("a.jsonl"), a);
    Files.writeString(dir.resolve("b.jsonl"), b);
  }

  @ParameterizedTest
  @ValueSource(strings = {"ia3", "lora"})
  void mixedBatchScoresEveryRowAsItsOwnAdapterAlone(String method) throws IOException {
    Path adapterA = writeAdapter(method, Map.of(), 11L, "a");
    Path adapterB = writeAdapter(method, Map.of(), 22L, "b");

    List<double[]> mixed = ScoredRows.of(cli("score", "--model", model(), "--data", data("mixed.jsonl"),
        "--adapter", "a=" + adapterA, "--adapter", "b=" + adapterB, "--batch-size", "5"));
    List<double[]> aloneA = ScoredRows.of(cli("score", "--model", model(), "--data", data("a.jsonl"),
        "--adapter", adapterA.toString(), "--batch-size", "5"));
    List<double[]> aloneB = ScoredRows.of(cli("score", "--model", model(), "--data", data("b.jsonl"),
        "--adapter", adapterB.toString(), "--batch-size", "5"));
    // The other adapter on task b's rows: must differ, or the comparison below could not fail.
    List<double[]> bWithA = ScoredRows.of(cli("score", "--model", model(), "--data", data("b.jsonl"),
        "--adapter", adapterA.toString(), "--batch-size", "5"));

    List<String> tasks = new ArrayList<>();
    for (String line : Files.readAllLines(dir.resolve("mixed.jsonl"))) {
      tasks.add(json.readTree(line).get("task").asText());
    }
    assertThat(mixed).hasSize(tasks.size());
    assertThat(aloneA.size() + aloneB.size()).isEqualTo(tasks.size());
    int ia = 0;
    int ib = 0;
    double worst = 0;
    for (int i = 0; i < tasks.size(); i++) {
      double[] alone = tasks.get(i).equals("a") ? aloneA.get(ia++) : aloneB.get(ib++);
      for (int c = 0; c < alone.length; c++) {
        worst = Math.max(worst, Math.abs(mixed.get(i)[c] - alone[c]));
      }
    }
    double apart = 0;
    for (int i = 0; i < aloneB.size(); i++) {
      for (int c = 0; c < aloneB.get(i).length; c++) {
        apart = Math.max(apart, Math.abs(aloneB.get(i)[c] - bWithA.get(i)[c]));
      }
    }
    System.out.printf("%s mixed vs alone max abs difference %.3g; adapters a vs b on b's rows %.3g%n",
        method, worst, apart);
    assertThat(apart).as("the two adapters score task b differently").isGreaterThan(1e-3);
    assertThat(worst).isLessThanOrEqualTo(TOLERANCE);
  }

  @Test
  void aRowWithoutAKnownTaskIsNamedWithTheKnownTasks() throws IOException {
    Path adapterA = writeAdapter("ia3", Map.of(), 11L, "e-a");
    Path adapterB = writeAdapter("ia3", Map.of(), 22L, "e-b");
    Files.writeString(dir.resolve("unknown.jsonl"), "{\"input\": \"w10 w11\", \"choices\": [\"w3\"], \"task\": \"a\"}\n"
        + "{\"input\": \"w10 w12\", \"choices\": [\"w3\"], \"task\": \"rte\"}\n");
    assertThat(ScoredRows.refusal("score", "--model", model(), "--data", data("unknown.jsonl"),
        "--adapter", "a=" + adapterA, "--adapter", "b=" + adapterB))
        .contains("row 2").contains("\"rte\"").contains("[a, b]");
    Files.writeString(dir.resolve("missing.jsonl"), "{\"input\": \"w10 w11\", \"choices\": [\"w3\"]}\n");
    assertThat(ScoredRows.refusal("score", "--model", model(), "--data", data("missing.jsonl"),
        "--adapter", "a=" + adapterA, "--adapter", "b=" + adapterB))
        .contains("row 1").contains("no \"task\" field").contains("[a, b]");
  }

  @Test
  void adaptersOfDifferentMethodsOrOptionsAreRefused() throws IOException {
    Path ia3 = writeAdapter("ia3", Map.of(), 11L, "r-ia3");
    Path lora = writeAdapter("lora", Map.of(), 22L, "r-lora");
    Path lora8 = writeAdapter("lora", Map.of("r", 8), 33L, "r-lora8");
    assertThat(ScoredRows.refusal("score", "--model", model(), "--data", data("mixed.jsonl"),
        "--adapter", "a=" + ia3, "--adapter", "b=" + lora))
        .contains("method 'lora' differs from task 'a''s method 'ia3'");
    assertThat(ScoredRows.refusal("score", "--model", model(), "--data", data("mixed.jsonl"),
        "--adapter", "a=" + lora, "--adapter", "b=" + lora8))
        .contains("lora.r is 8").contains("task 'a' has 4");
    assertThat(ScoredRows.refusal("score", "--model", model(), "--data", data("mixed.jsonl"),
        "--adapter", "a=" + lora, "--adapter", lora8.toString()))
        .contains("not both");
  }

  private Path writeAdapter(String method, Map<String, Object> options, long seed, String name) {
    return RandomAdapters.write(dir.resolve("model"), method, options, seed, dir.resolve("adapters").resolve(name));
  }

  private String model() {
    return dir.resolve("model").toString();
  }

  private String data(String name) {
    return dir.resolve(name).toString();
  }

  private static String cli(String... args) {
    return TrainEndToEndTest.cli(args);
  }
}
