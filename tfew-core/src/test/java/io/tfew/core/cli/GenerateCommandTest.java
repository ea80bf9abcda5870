package io.tfew.core.cli;

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
}
