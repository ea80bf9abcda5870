package io.tfew.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tfew.api.TfewException;
import io.tfew.core.testing.SharedFixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FewShotJsonlReaderTest {
  @TempDir Path tmp;

  @Test
  void readsTfewRteSubsetAsIs() {
    List<Map<String, Object>> rows = new FewShotJsonlReader()
        .read(SharedFixtures.path("data/tfew-few-shot/rte/32_shot/0_seed.jsonl"));
    assertThat(rows).hasSize(32);
    assertThat(rows.get(0)).containsOnlyKeys("premise", "hypothesis", "idx", "label")
        .containsEntry("hypothesis", "Nobel Peace Prize candidates have been chosen.")
        .containsEntry("idx", 2325)
        .containsEntry("label", 1);
  }

  @Test
  void keepsNestedAndStringFields() {
    List<Map<String, Object>> rows = new FewShotJsonlReader()
        .read(SharedFixtures.path("data/tfew-few-shot/winogrande/50_shot/0_seed.jsonl"));
    assertThat(rows).hasSize(50);
    assertThat(rows.get(0)).containsEntry("option1", "pumpkin").containsEntry("answer", "2")
        .containsEntry("label", 1);
  }

  @Test
  void aMissingLabelIsAnError() throws IOException {
    Path file = tmp.resolve("0_seed.jsonl");
    Files.writeString(file, "{\"sentence\": \"s\", \"label\": 0}\n{\"sentence\": \"s\"}\n");
    assertThatThrownBy(() -> new FewShotJsonlReader().read(file))
        .isInstanceOf(TfewException.class)
        .hasMessage(file + ":2: field \"label\" is missing; add it as an integer");
  }

  @Test
  void invalidJsonNamesTheLine() throws IOException {
    Path file = tmp.resolve("bad.jsonl");
    Files.writeString(file, "{\"label\": 0}\n{\"label\": 1,}\n");
    assertThatThrownBy(() -> new FewShotJsonlReader().read(file))
        .isInstanceOf(TfewException.class)
        .hasMessageStartingWith(file + ":2: invalid JSON");
  }
}
