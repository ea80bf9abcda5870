package io.tfew.experiments.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class EvalDatasetsTest {
  @Test
  void filesOfTheSameNameInTaskFoldersAreNamedByTheFolder() {
    assertThat(EvalDatasets.labels(List.of("/x/tasks/rating/test.jsonl", "/x/tasks/not_like/test.jsonl",
        "/x/tasks/rating/test.jsonl"))).containsOnly(
            org.assertj.core.api.Assertions.entry("/x/tasks/rating/test.jsonl", "rating"),
            org.assertj.core.api.Assertions.entry("/x/tasks/not_like/test.jsonl", "not_like"));
  }

  @Test
  void filesInOneFolderAreNamedByTheirStem() {
    assertThat(EvalDatasets.labels(List.of("data/rte.jsonl", "data/cb.jsonl")))
        .containsEntry("data/rte.jsonl", "rte").containsEntry("data/cb.jsonl", "cb");
  }

  @Test
  void theExtensionStaysWhenOnlyItTellsTwoFilesApart() {
    assertThat(EvalDatasets.labels(List.of("data/rte.jsonl", "data/rte.csv")))
        .containsEntry("data/rte.jsonl", "rte.jsonl").containsEntry("data/rte.csv", "rte.csv");
  }

  @Test
  void deeperDifferencesKeepEveryFolderThatDiffers() {
    assertThat(EvalDatasets.labels(List.of("/a/rte/test.jsonl", "/b/rte/test.jsonl", "/b/cb/test.jsonl")))
        .containsEntry("/a/rte/test.jsonl", "a/rte").containsEntry("/b/rte/test.jsonl", "b/rte")
        .containsEntry("/b/cb/test.jsonl", "b/cb");
  }

  @Test
  void aLoneFileIsNamedByItsStemOrByItsFolderWhenTheStemIsASplit() {
    assertThat(EvalDatasets.labels(List.of("/x/tasks/rating/test.jsonl"))).containsEntry("/x/tasks/rating/test.jsonl",
        "rating");
    assertThat(EvalDatasets.labels(List.of("/x/data/copa.jsonl"))).containsEntry("/x/data/copa.jsonl", "copa");
  }
}
