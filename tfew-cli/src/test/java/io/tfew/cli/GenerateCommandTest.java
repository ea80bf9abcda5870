package io.tfew.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tfew.core.testing.ExpectedTensors;
import io.tfew.core.testing.SharedFixtures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GenerateCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void greedyIdsMatchTheReferenceWithoutTheStartId(@TempDir Path tmp) throws IOException {
    Path dir = SharedFixtures.path("fixtures/t5-parity/t0-tiny");
    List<String> inputs = new ArrayList<>();
    for (String line : Files.readAllLines(dir.resolve("rank_inputs.jsonl"), StandardCharsets.UTF_8)) {
      if (!line.isBlank()) {
        inputs.add(JSON.readTree(line).get("input").textValue());
      }
    }
    Path data = tmp.resolve("inputs.jsonl");
    Files.writeString(data, inputs.stream().map(i -> JSON.createObjectNode().put("input", i).toString())
        .collect(Collectors.joining("\n", "", "\n")), StandardCharsets.UTF_8);
    int[][] greedy;
    try (ExpectedTensors e = new ExpectedTensors(dir.resolve("expected.safetensors"))) {
      greedy = e.intRows("greedy_8");
    }
    // The reference runs exactly 8 argmax steps after start id 0 and never emits EOS (1) on these
    // inputs, so no row is cut short or padded: every row must come back with 8 ids.
    assertThat(greedy).hasNumberOfRows(3);
    for (int[] row : greedy) {
      assertThat(row).hasSize(9);
      assertThat(row[0]).isZero();
      assertThat(Arrays.copyOfRange(row, 1, 9)).doesNotContain(1);
    }

    CliRun run = CliRun.of("generate", "--model", dir.toString(), "--data", data.toString(), "--max-new-tokens", "8");

    assertThat(run.exit()).as(run.toString()).isZero();
    List<String> lines = run.outLines();
    assertThat(lines).hasSize(3);
    for (int r = 0; r < 3; r++) {
      JsonNode row = JSON.readTree(lines.get(r));
      assertThat(row.get("input").textValue()).isEqualTo(inputs.get(r));
      int[] ids = new int[row.get("ids").size()];
      for (int i = 0; i < ids.length; i++) {
        ids[i] = row.get("ids").get(i).intValue();
      }
      int[] expected = Arrays.copyOfRange(greedy[r], 1, 9);
      assertThat(ids).as("row %d", r).containsExactly(expected);
      // Word-level tokenizer: id N decodes to the word wN.
      String words = Arrays.stream(expected).mapToObj(i -> "w" + i).collect(Collectors.joining(" "));
      assertThat(row.get("generation").textValue()).isEqualTo(words);
    }
  }

  @Test
  void maxNewTokensAndBatchSizeAreBoundedBeforeTheModelLoads(@TempDir Path tmp) throws IOException {
    Path data = tmp.resolve("inputs.jsonl");
    Files.writeString(data, "{\"input\": \"w1 w2\"}\n", StandardCharsets.UTF_8);
    String model = SharedFixtures.path("fixtures/t5-parity/t0-tiny").toString();
    CliRun tokens = CliRun.of("generate", "--model", model, "--data", data.toString(), "--max-new-tokens", "4096");
    assertThat(tokens.exit()).as(tokens.toString()).isEqualTo(2);
    assertThat(tokens.err()).contains("--max-new-tokens 4096: must be between 1 and 512").doesNotContain("\tat ");
    CliRun batch = CliRun.of("generate", "--model", model, "--data", data.toString(), "--batch-size", "2147483647");
    assertThat(batch.exit()).as(batch.toString()).isEqualTo(2);
    assertThat(batch.err()).contains("--batch-size 2147483647: must be at most 4096");
  }

  /**
   * Decoding stops once every row has emitted EOS, with the same ids as running every step: a row's
   * ids end at its EOS and pad after it. The fixture's model never emits its EOS (1) on these inputs,
   * so a copy declares a token it does emit as EOS.
   */
  @Test
  void stoppingAtEosGivesTheIdsOfRunningEveryStep(@TempDir Path tmp) throws IOException {
    Path fixture = SharedFixtures.path("fixtures/t5-parity/t0-tiny");
    int[][] greedy;
    try (ExpectedTensors e = new ExpectedTensors(fixture.resolve("expected.safetensors"))) {
      greedy = e.intRows("greedy_8");
    }
    int eos = greedy[0][3];
    Path model = Files.createDirectories(tmp.resolve("model"));
    for (String f : List.of("model.safetensors", "tokenizer.json")) {
      Files.copy(fixture.resolve(f), model.resolve(f));
    }
    com.fasterxml.jackson.databind.node.ObjectNode config =
        (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(fixture.resolve("config.json").toFile());
    config.put("eos_token_id", eos);
    Files.writeString(model.resolve("config.json"), config.toString());
    List<String> inputs = new ArrayList<>();
    for (String line : Files.readAllLines(fixture.resolve("rank_inputs.jsonl"), StandardCharsets.UTF_8)) {
      if (!line.isBlank()) {
        inputs.add(JSON.readTree(line).get("input").textValue());
      }
    }
    int pad = config.get("pad_token_id").intValue();
    // One row (every row stops early) and all rows in one batch (rows stop at different steps).
    for (int rows : new int[] {1, greedy.length}) {
      Path data = tmp.resolve("inputs-" + rows + ".jsonl");
      Files.writeString(data, inputs.subList(0, rows).stream()
          .map(i -> JSON.createObjectNode().put("input", i).toString())
          .collect(Collectors.joining("\n", "", "\n")), StandardCharsets.UTF_8);
      CliRun run = CliRun.of("generate", "--model", model.toString(), "--data", data.toString(),
          "--max-new-tokens", "8", "--batch-size", String.valueOf(rows));
      assertThat(run.exit()).as(run.toString()).isZero();
      List<String> lines = run.outLines();
      assertThat(lines).hasSize(rows);
      for (int r = 0; r < rows; r++) {
        int[] expected = new int[8];
        Arrays.fill(expected, pad);
        for (int t = 1; t <= 8; t++) {
          expected[t - 1] = greedy[r][t];
          if (greedy[r][t] == eos) {
            break;
          }
        }
        JsonNode ids = JSON.readTree(lines.get(r)).get("ids");
        int[] got = new int[ids.size()];
        for (int t = 0; t < got.length; t++) {
          got[t] = ids.get(t).intValue();
        }
        assertThat(got).as("%d rows, row %d", rows, r).containsExactly(expected);
      }
    }
  }
}
