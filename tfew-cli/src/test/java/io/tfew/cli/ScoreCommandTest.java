package io.tfew.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tfew.core.testing.ExpectedTensors;
import io.tfew.core.testing.SharedFixtures;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ScoreCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static Path fixture(String name) {
    return SharedFixtures.path("fixtures/t5-parity/" + name);
  }

  private static String t0() {
    return fixture("t0-tiny").toString();
  }

  private static String t0Data() {
    return fixture("t0-tiny").resolve("rank_inputs.jsonl").toString();
  }

  /** The reference scores and gold labels of a fixture, and each choice's token count from its text. */
  private record Expected(double[][] mean, int[] labels, int[][] tokenCounts) {
    static Expected of(String name) {
      Path dir = fixture(name);
      try (ExpectedTensors e = new ExpectedTensors(dir.resolve("expected.safetensors"))) {
        long[] shape = e.shape("choice_scores_mean_logprob");
        float[] flat = e.floats("choice_scores_mean_logprob");
        int rows = (int) shape[0];
        int cols = (int) shape[1];
        double[][] mean = new double[rows][cols];
        for (int r = 0; r < rows; r++) {
          for (int c = 0; c < cols; c++) {
            mean[r][c] = flat[r * cols + c];
          }
        }
        List<JsonNode> data = readRows(dir.resolve("rank_inputs.jsonl"));
        int[][] counts = new int[rows][cols];
        for (int r = 0; r < rows; r++) {
          for (int c = 0; c < cols; c++) {
            // Word-level fixture tokenizer: one id per word, plus the appended EOS.
            counts[r][c] = data.get(r).get("choices").get(c).textValue().trim().split("\\s+").length + 1;
          }
        }
        return new Expected(mean, e.ints("choice_labels"), counts);
      }
    }

    int argmax(int row) {
      int best = 0;
      for (int c = 1; c < mean[row].length; c++) {
        if (mean[row][c] > mean[row][best]) {
          best = c;
        }
      }
      return best;
    }

    String accuracyLine() {
      int correct = 0;
      for (int r = 0; r < labels.length; r++) {
        correct += argmax(r) == labels[r] ? 1 : 0;
      }
      return String.format(Locale.ROOT, "accuracy=%.4f", (double) correct / labels.length);
    }
  }

  private static List<JsonNode> readRows(Path jsonl) {
    try {
      List<JsonNode> rows = new ArrayList<>();
      for (String line : Files.readAllLines(jsonl, StandardCharsets.UTF_8)) {
        if (!line.isBlank()) {
          rows.add(JSON.readTree(line));
        }
      }
      return rows;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<JsonNode> parse(List<String> lines) {
    List<JsonNode> rows = new ArrayList<>();
    for (String l : lines) {
      try {
        rows.add(JSON.readTree(l));
      } catch (IOException e) {
        throw new AssertionError("not a JSON row: " + l, e);
      }
    }
    return rows;
  }

  private static double[] scores(JsonNode row) {
    JsonNode s = row.get("scores");
    double[] out = new double[s.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = s.get(i).doubleValue();
    }
    return out;
  }

  @ParameterizedTest
  @ValueSource(strings = {"t0-tiny", "t5-tiny"})
  void scoresMatchTheReferenceAndTheLastLineIsAccuracy(String name) {
    Expected expected = Expected.of(name);
    Path dir = fixture(name);
    CliRun run = CliRun.of("score", "--model", dir.toString(), "--data", dir.resolve("rank_inputs.jsonl").toString());

    assertThat(run.exit()).as(run.toString()).isZero();
    List<String> lines = run.outLines();
    assertThat(lines).hasSize(4);
    List<JsonNode> rows = parse(lines.subList(0, 3));
    List<JsonNode> inputs = readRows(dir.resolve("rank_inputs.jsonl"));
    for (int r = 0; r < 3; r++) {
      JsonNode row = rows.get(r);
      assertThat(row.get("input").textValue()).isEqualTo(inputs.get(r).get("input").textValue());
      assertThat(row.get("choices")).isEqualTo(inputs.get(r).get("choices"));
      assertThat(row.get("label").intValue()).isEqualTo(expected.labels()[r]);
      double[] s = scores(row);
      assertThat(s).hasSize(3);
      for (int c = 0; c < 3; c++) {
        assertThat(s[c]).as("row %d choice %d", r, c).isCloseTo(expected.mean()[r][c], within(1e-4));
      }
      assertThat(row.get("prediction").intValue()).isEqualTo(expected.argmax(r));
    }
    assertThat(lines.get(3)).isEqualTo(expected.accuracyLine());
  }

  @Test
  void outWritesRowsToTheFileAndOnlyAccuracyToStdout(@TempDir Path tmp) throws IOException {
    Expected expected = Expected.of("t0-tiny");
    Path out = tmp.resolve("scored.jsonl");
    CliRun run = CliRun.of("score", "--model", t0(), "--data", t0Data(), "--out", out.toString());

    assertThat(run.exit()).as(run.toString()).isZero();
    assertThat(run.outLines()).containsExactly(expected.accuracyLine());
    List<JsonNode> rows = readRows(out);
    assertThat(rows).hasSize(3);
    for (int r = 0; r < 3; r++) {
      double[] s = scores(rows.get(r));
      for (int c = 0; c < 3; c++) {
        assertThat(s[c]).isCloseTo(expected.mean()[r][c], within(1e-4));
      }
      assertThat(rows.get(r).get("prediction").intValue()).isEqualTo(expected.argmax(r));
    }
    // The atomic writer's temporary file must not be left beside the result.
    try (Stream<Path> files = Files.list(tmp)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("scored.jsonl");
    }
  }

  @Test
  void sumLengthNormIsMeanTimesTokenCount() {
    Expected expected = Expected.of("t0-tiny");
    CliRun run = CliRun.of("score", "--model", t0(), "--data", t0Data(), "--length-norm", "sum");

    assertThat(run.exit()).as(run.toString()).isZero();
    List<String> lines = run.outLines();
    assertThat(lines).hasSize(4);
    List<JsonNode> rows = parse(lines.subList(0, 3));
    int correct = 0;
    for (int r = 0; r < 3; r++) {
      double[] s = scores(rows.get(r));
      int best = 0;
      for (int c = 0; c < 3; c++) {
        int n = expected.tokenCounts()[r][c];
        assertThat(s[c]).as("row %d choice %d (%d tokens)", r, c, n)
            .isCloseTo(expected.mean()[r][c] * n, within(1e-4 * n));
        best = s[c] > s[best] ? c : best;
      }
      // Under sum the prediction is the argmax of the summed scores, not of the means.
      assertThat(rows.get(r).get("prediction").intValue()).isEqualTo(best);
      correct += best == expected.labels()[r] ? 1 : 0;
    }
    assertThat(lines.get(3)).isEqualTo(String.format(Locale.ROOT, "accuracy=%.4f", correct / 3.0));
  }

  @Test
  void batchSizeOneGivesTheSameScoresAsTheDefaultBatch() {
    CliRun batched = CliRun.of("score", "--model", t0(), "--data", t0Data());
    CliRun single = CliRun.of("score", "--model", t0(), "--data", t0Data(), "--batch-size", "1");

    assertThat(batched.exit()).as(batched.toString()).isZero();
    assertThat(single.exit()).as(single.toString()).isZero();
    List<JsonNode> a = parse(batched.outLines().subList(0, 3));
    List<JsonNode> b = parse(single.outLines().subList(0, 3));
    for (int r = 0; r < 3; r++) {
      double[] sa = scores(a.get(r));
      double[] sb = scores(b.get(r));
      for (int c = 0; c < 3; c++) {
        // Padding to the batch's longest input must not leak into the scores.
        assertThat(sb[c]).as("row %d choice %d", r, c).isCloseTo(sa[c], within(1e-5));
      }
      assertThat(b.get(r).get("prediction")).isEqualTo(a.get(r).get("prediction"));
    }
    assertThat(single.outLines().get(3)).isEqualTo(batched.outLines().get(3));
  }

  /** A bad invocation, the arguments it adds to {@code score}, and what its message must mention. */
  record BadInput(String name, Function<Path, List<String>> args, List<String> mentions) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<BadInput> badInputs() {
    return Stream.of(
        new BadInput("missing data file",
            tmp -> List.of("--model", t0(), "--data", tmp.resolve("absent.jsonl").toString()),
            List.of("absent.jsonl", "does not exist")),
        new BadInput("invalid JSON row",
            tmp -> List.of("--model", t0(), "--data", write(tmp.resolve("bad.jsonl"),
                "{\"input\": \"w1\", \"choices\": [\"w2\"]}\n{\"input\": \"w1\", \"choices\": [\"w2\"\n")),
            List.of("bad.jsonl:2:", "invalid JSON")),
        new BadInput("label out of range",
            tmp -> List.of("--model", t0(), "--data", write(tmp.resolve("label.jsonl"),
                "{\"input\": \"w1\", \"choices\": [\"w2\", \"w3\"], \"label\": 2}\n")),
            List.of("label.jsonl:1:", "\"label\" is 2", "2 choices")),
        new BadInput("batch size zero",
            tmp -> List.of("--model", t0(), "--data", t0Data(), "--batch-size", "0"),
            List.of("--batch-size 0", "at least 1")),
        new BadInput("batch size that would exhaust memory",
            tmp -> List.of("--model", t0(), "--data", t0Data(), "--batch-size", "2147483647"),
            List.of("--batch-size 2147483647", "at most 4096")),
        new BadInput("unknown length norm",
            tmp -> List.of("--model", t0(), "--data", t0Data(), "--length-norm", "foo"),
            List.of("--length-norm", "'foo'", "mean or sum")),
        new BadInput("model dir without config.json",
            tmp -> List.of("--model", mkdir(tmp.resolve("empty-model")).toString(), "--data", t0Data()),
            List.of("empty-model", "config.json")),
        new BadInput("config.json without d_model",
            tmp -> List.of("--model", modelCopy(tmp, "no-d-model", c -> c.remove("d_model"), false).toString(),
                "--data", t0Data()),
            List.of("config.json", "d_model", "missing")),
        new BadInput("truncated model.safetensors",
            tmp -> List.of("--model", modelCopy(tmp, "truncated", c -> { }, true).toString(), "--data", t0Data()),
            List.of("model.safetensors", "truncated")),
        new BadInput("d_model disagrees with the weights",
            tmp -> List.of("--model", modelCopy(tmp, "wide", c -> c.put("d_model", 64), false).toString(),
                "--data", t0Data()),
            List.of("model.safetensors", "shape", "config.json")),
        new BadInput("adapter dir without adapter_config.json",
            tmp -> List.of("--model", t0(), "--data", t0Data(), "--adapter", mkdir(tmp.resolve("adapter")).toString()),
            List.of("adapter", "adapter_config.json")),
        new BadInput("unknown option",
            tmp -> List.of("--model", t0(), "--data", t0Data(), "--frobnicate"),
            List.of("--frobnicate")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badInputs")
  void badInputExitsTwoWithOneMessageAndLeavesTheOutFileAlone(BadInput bad, @TempDir Path tmp) throws IOException {
    Path outDir = mkdir(tmp.resolve("out"));
    Path existing = outDir.resolve("previous.jsonl");
    byte[] before = "{\"kept\": true}\n".getBytes(StandardCharsets.UTF_8);
    Files.write(existing, before);
    List<String> args = new ArrayList<>(List.of("score"));
    args.addAll(bad.args().apply(tmp));
    args.addAll(List.of("--out", existing.toString()));

    CliRun run = CliRun.of(args.toArray(String[]::new));

    assertThat(run.exit()).as(run.toString()).isEqualTo(TfewCli.USAGE);
    assertThat(run.out()).as(run.toString()).isEmpty();
    String firstLine = run.err().lines().findFirst().orElse("");
    for (String m : bad.mentions()) {
      assertThat(firstLine).as(run.toString()).contains(m);
    }
    if (!bad.name().equals("unknown option")) {
      // Our own errors are one line, without a stack trace (picocli adds usage help for unknown options).
      assertThat(run.err().lines().toList()).as(run.toString()).hasSize(1);
      assertThat(firstLine).startsWith("tfew: error: ");
    }
    assertThat(Files.readAllBytes(existing)).isEqualTo(before);
    try (Stream<Path> files = Files.list(outDir)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("previous.jsonl");
    }
  }

  @Test
  void aRunThatFailsWhileLoadingCreatesNoOutFile(@TempDir Path tmp) throws IOException {
    Path model = modelCopy(tmp, "truncated", c -> { }, true);
    Path outDir = mkdir(tmp.resolve("out"));
    Path out = outDir.resolve("scored.jsonl");

    CliRun run = CliRun.of("score", "--model", model.toString(), "--data", t0Data(), "--out", out.toString());

    assertThat(run.exit()).as(run.toString()).isEqualTo(TfewCli.USAGE);
    try (Stream<Path> files = Files.list(outDir)) {
      assertThat(files).isEmpty();
    }
  }

  private static String write(Path file, String content) {
    try {
      Files.writeString(file, content, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file.toString();
  }

  private static Path mkdir(Path dir) {
    try {
      return Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A copy of t0-tiny with its config edited and, optionally, its weights cut in half. */
  private static Path modelCopy(Path tmp, String name, java.util.function.Consumer<ObjectNode> editConfig,
      boolean truncateWeights) {
    Path source = fixture("t0-tiny");
    Path dir = mkdir(tmp.resolve(name));
    try {
      for (String f : List.of("config.json", "tokenizer.json", "model.safetensors")) {
        Files.copy(source.resolve(f), dir.resolve(f));
        dir.resolve(f).toFile().setWritable(true);
      }
      ObjectNode config = (ObjectNode) JSON.readTree(dir.resolve("config.json").toFile());
      editConfig.accept(config);
      JSON.writeValue(dir.resolve("config.json").toFile(), config);
      if (truncateWeights) {
        try (RandomAccessFile f = new RandomAccessFile(dir.resolve("model.safetensors").toFile(), "rw")) {
          f.setLength(f.length() / 2);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return dir;
  }
}
