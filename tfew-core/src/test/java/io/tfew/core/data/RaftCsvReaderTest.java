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

class RaftCsvReaderTest {
  @TempDir Path tmp;

  @Test
  void readsTrainRowsWithHfAndTfewLabels() {
    List<Map<String, Object>> rows = new RaftCsvReader()
        .read(SharedFixtures.path("data/raft/ade_corpus_v2/train.csv"));
    assertThat(rows).hasSize(50);
    assertThat(rows.get(0)).containsOnlyKeys("Sentence", "ID", "Label", "label")
        .containsEntry("Sentence", "No regional side effects were noted.")
        .containsEntry("ID", 0)
        .containsEntry("Label", 2) // HF ClassLabel: [Unlabeled, ADE-related, not ADE-related]
        .containsEntry("label", 1); // T-Few: Label - 1
  }

  @Test
  void multiLineArticlesAreOneRowEach() {
    List<Map<String, Object>> rows = new RaftCsvReader()
        .read(SharedFixtures.path("data/raft/one_stop_english/train.csv"));
    assertThat(rows).hasSize(50); // the file has 622 physical lines
    assertThat(rows.get(0)).containsEntry("ID", 0).containsEntry("label", 2);
    assertThat((String) rows.get(0).get("Article")).startsWith("For 85 years, it was just a grey blob").contains("\n");
  }

  @Test
  void unlabelledTestRowsGetLabelMinusOne() {
    List<Map<String, Object>> rows = new RaftCsvReader()
        .read(SharedFixtures.path("data/raft/banking_77/test_unlabeled.csv"));
    assertThat(rows).hasSize(5000).allSatisfy(r ->
        assertThat(r).containsEntry("Label", 0).containsEntry("label", -1));
  }

  @Test
  void labelNamesComeFromTaskJson() {
    assertThat(RaftCsvReader.labelNames(SharedFixtures.path("data/raft/twitter_complaints/task.json")))
        .containsExactly("complaint", "no complaint");
    assertThat(RaftCsvReader.labelNames(SharedFixtures.path("data/raft/banking_77/task.json")))
        .hasSize(77);
  }

  @Test
  void anUnknownLabelNamesFileLineAndTheLabels() throws IOException {
    Files.writeString(tmp.resolve("task.json"),
        "{\"label_columns\": {\"Label\": [\"yes\", \"no\"]}}");
    Path csv = tmp.resolve("train.csv");
    Files.writeString(csv, "Text,Label,ID\nhello,yes,0\nbye,maybe,1\n");
    assertThatThrownBy(() -> new RaftCsvReader().read(csv))
        .isInstanceOf(TfewException.class)
        .hasMessageStartingWith(csv + ":3: field \"Label\" is \"maybe\"")
        .hasMessageContaining("[yes, no]");
  }

  @Test
  void aMissingTaskJsonSaysWhereItBelongs() throws IOException {
    Path csv = tmp.resolve("train.csv");
    Files.writeString(csv, "Text,Label,ID\n");
    assertThatThrownBy(() -> new RaftCsvReader().read(csv))
        .isInstanceOf(TfewException.class)
        .hasMessageContaining("keep task.json beside the task's CSVs");
  }
}
