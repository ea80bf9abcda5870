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

class WinograndeReaderTest {
  @TempDir Path tmp;

  private static List<Map<String, Object>> rows() {
    return new WinograndeReader().read(SharedFixtures.path("data/winogrande-dev/winogrande.jsonl"));
  }

  @Test
  void recoversTheOriginalRows() {
    List<Map<String, Object>> rows = rows();
    assertThat(rows).hasSize(1267);
    assertThat(rows.get(0)).containsOnlyKeys("sentence", "option1", "option2", "answer", "label")
        .containsEntry("sentence",
            "Sarah was a much better surgeon than Maria so _ always got the easier cases.")
        .containsEntry("option1", "Sarah")
        .containsEntry("option2", "Maria")
        .containsEntry("answer", "2")
        .containsEntry("label", 1);
    assertThat(rows.stream().filter(r -> r.get("answer").equals("1")).count()).isEqualTo(628);
    assertThat(rows).allSatisfy(r -> assertThat((String) r.get("sentence")).contains("_"));
  }

  @Test
  void prefixPairsSplitAtTheWordBoundary() {
    List<Map<String, Object>> rows = rows();
    for (int i : new int[] {289, 701, 702, 978}) {
      assertThat(List.of(rows.get(i).get("option1"), rows.get(i).get("option2")))
          .as("row %d", i).containsExactlyInAnyOrder("pen", "pencil");
    }
  }

  @Test
  void theBlankKeepsItsSpaceBeforeAFullStop() {
    // Row 162: "... because John rarely used the canoe" / "... the raft" + "." in the converted file;
    // the original reads "the _ ." like every one of T-Few's few-shot rows that ends at the blank.
    List<Map<String, Object>> rows = rows();
    assertThat((String) rows.get(162).get("sentence")).endsWith("because John rarely used the _ .");
    assertThat(rows.stream().map(r -> (String) r.get("sentence")).filter(t -> t.endsWith("_ ."))).hasSize(34);
    assertThat(rows).noneSatisfy(r -> assertThat((String) r.get("sentence")).contains("_."));
  }

  @Test
  void thePossessiveStaysAttached() {
    // Row 589: "... because Monica" / "... because Erin" + "'s father was a landscaper."
    assertThat((String) rows().get(589).get("sentence")).endsWith("because _'s father was a landscaper.");
  }

  @Test
  void fewShotRowsKeepTheSpacesAroundTheBlank() {
    // The reference for the rule above: T-Few's own WinoGrande rows, in the original text.
    List<Map<String, Object>> rows = new FewShotJsonlReader()
        .read(SharedFixtures.path("data/tfew-few-shot/winogrande/50_shot/0_seed.jsonl"));
    assertThat(rows).allSatisfy(r -> assertThat((String) r.get("sentence")).contains(" _ "));
  }

  @Test
  void indistinguishableOptionsAreAnError() throws IOException {
    Path file = tmp.resolve("w.jsonl");
    Files.writeString(file,
        "{\"context_options\": [\"a b\", \"a b\"], \"continuation\": \"c.\", \"gold\": 0}\n");
    assertThatThrownBy(() -> new WinograndeReader().read(file))
        .isInstanceOf(TfewException.class)
        .hasMessageStartingWith(file + ":1: field \"context_options\"");
  }
}
