package io.tfew.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tfew.api.TfewException;
import io.tfew.core.data.SuperGlueJsonlReader.Task;
import io.tfew.core.testing.SharedFixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SuperGlueJsonlReaderTest {
  @TempDir Path tmp;

  private static List<Map<String, Object>> read(String task) {
    return new SuperGlueJsonlReader()
        .read(SharedFixtures.path("data/superglue-val/" + task + "/val.jsonl"));
  }

  private static Map<Object, Long> labelCounts(List<Map<String, Object>> rows) {
    return rows.stream().collect(Collectors.groupingBy(r -> r.get("label"), Collectors.counting()));
  }

  @Test
  void rteLabelsAreHfIndicesOfEntailmentNotEntailment() {
    List<Map<String, Object>> rows = read("RTE");
    assertThat(rows).hasSize(277);
    assertThat(rows.get(0)).containsOnlyKeys("premise", "hypothesis", "idx", "label")
        .containsEntry("hypothesis", "Christopher Reeve had an accident.")
        .containsEntry("label", 1)
        .containsEntry("idx", 0);
    assertThat(labelCounts(rows)).isEqualTo(Map.of(0, 146L, 1, 131L));
  }

  @Test
  void cbLabelsFollowHfOrderEntailmentContradictionNeutral() {
    List<Map<String, Object>> rows = read("CB");
    assertThat(rows).hasSize(56);
    assertThat(rows.get(0)).containsEntry("hypothesis", "Valence was helping")
        .containsEntry("label", 1);
    assertThat(labelCounts(rows)).isEqualTo(Map.of(0, 23L, 1, 28L, 2, 5L));
  }

  @Test
  void copaKeepsItsIntegerLabels() {
    List<Map<String, Object>> rows = read("COPA");
    assertThat(rows).hasSize(100);
    assertThat(rows.get(0)).containsOnlyKeys(
            "premise", "choice1", "choice2", "question", "idx", "label")
        .containsEntry("premise", "The man turned on the faucet.")
        .containsEntry("question", "effect")
        .containsEntry("label", 1);
    assertThat(labelCounts(rows)).isEqualTo(Map.of(0, 55L, 1, 45L));
  }

  @Test
  void wicBooleansBecomeZeroOneAndVersionIsDropped() {
    List<Map<String, Object>> rows = read("WiC");
    assertThat(rows).hasSize(638);
    assertThat(rows.get(0)).containsOnlyKeys(
            "word", "sentence1", "sentence2", "start1", "start2", "end1", "end2", "idx", "label")
        .containsEntry("word", "class")
        .containsEntry("start1", 25)
        .containsEntry("label", 0);
    assertThat(labelCounts(rows)).isEqualTo(Map.of(0, 319L, 1, 319L));
  }

  @Test
  void wscIsFlattenedLikeHfWscFixed() {
    List<Map<String, Object>> rows = read("WSC");
    assertThat(rows).hasSize(104);
    assertThat(rows.get(0)).containsOnlyKeys(
            "text", "span1_index", "span2_index", "span1_text", "span2_text", "idx", "label")
        .containsEntry("span1_text", "anyone")
        .containsEntry("span1_index", 32)
        .containsEntry("span2_text", "him")
        .containsEntry("span2_index", 47)
        .containsEntry("label", 0);
    assertThat(labelCounts(rows)).isEqualTo(Map.of(0, 66L, 1, 38L));
    // Row 5 says "The table" where the text says "the table": _fix_wst matches the case.
    assertThat(rows.get(5)).containsEntry("span1_text", "the table");
    assertThat(rows).allSatisfy(r ->
        assertThat((String) r.get("text")).contains((String) r.get("span1_text")));
  }

  @Test
  void wscFixRepeatsHfQuirks() {
    Map<String, Object> ex = new java.util.HashMap<>(Map.of(
        "text", "The dogs they scold were loud .", "span1_index", 0, "span1_text", "the dogs.",
        "span2_index", 2, "span2_text", "theyscold"));
    SuperGlueJsonlReader.WscFix.apply(ex);
    assertThat(ex).containsEntry("span1_text", "The dogs");
    // HF discards text.replace(...)'s result, so only span2_index changes to 10.
    assertThat(ex).containsEntry("span2_index", 10).containsEntry("text", "The dogs they scold were loud .");
  }

  @Test
  void taskComesFromTheDirectoryOrIsGiven() throws IOException {
    Path file = tmp.resolve("whatever.jsonl");
    Files.writeString(file, "{\"premise\": \"p\", \"hypothesis\": \"h\", \"label\": \"neutral\", \"idx\": 3}\n");
    assertThat(new SuperGlueJsonlReader(Task.CB).read(file).get(0)).containsEntry("label", 2);
    assertThatThrownBy(() -> new SuperGlueJsonlReader().read(file))
        .isInstanceOf(TfewException.class)
        .hasMessageContaining("cannot tell the SuperGLUE task from the directory name");
  }

  @Test
  void anUnknownLabelNamesFileLineFieldAndTheLabels() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("RTE"));
    Path file = dir.resolve("val.jsonl");
    Files.writeString(file,
        "{\"premise\": \"p\", \"hypothesis\": \"h\", \"label\": \"entailment\", \"idx\": 0}\n\n"
            + "{\"premise\": \"p\", \"hypothesis\": \"h\", \"label\": \"neutral\", \"idx\": 1}\n");
    assertThatThrownBy(() -> new SuperGlueJsonlReader().read(file))
        .isInstanceOf(TfewException.class)
        .hasMessageStartingWith(file + ":3: field \"label\"")
        .hasMessageContaining("[entailment, not_entailment]");
  }

  @Test
  void aMissingFieldSaysWhatARowNeeds() throws IOException {
    Path file = tmp.resolve("val.jsonl");
    Files.writeString(file, "{\"premise\": \"p\", \"label\": \"entailment\", \"idx\": 0}\n");
    assertThatThrownBy(() -> new SuperGlueJsonlReader(Task.RTE).read(file))
        .isInstanceOf(TfewException.class)
        .hasMessage(file + ":1: field \"hypothesis\" is missing; a RTE row needs premise, hypothesis");
  }

  @Test
  void unlabelledRowsGetMinusOneAsInHf() throws IOException {
    Path file = tmp.resolve("test.jsonl");
    Files.writeString(file, "{\"premise\": \"p\", \"hypothesis\": \"h\", \"idx\": 0}\n");
    assertThat(new SuperGlueJsonlReader(Task.RTE).read(file).get(0)).containsEntry("label", -1);
  }

  @Test
  void tasksAreFoundByNameIgnoringCase() {
    assertThat(Task.byName("wic")).isEqualTo(Task.WIC);
    assertThatThrownBy(() -> Task.byName("boolq")).hasMessageContaining("RTE, CB, COPA, WIC, WSC");
  }
}
