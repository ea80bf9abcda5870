package io.tfew.experiments.minit0;

import static org.assertj.core.api.Assertions.assertThat;

import io.tfew.core.data.FewShotJsonlReader;
import io.tfew.core.data.JsonlWriter;
import io.tfew.core.prompt.PromptRenderer;
import io.tfew.core.prompt.PromptTemplate;
import io.tfew.core.prompt.RenderedPrompt;
import io.tfew.core.prompt.TemplateCollection;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TaskFilesTest {
  @TempDir Path dir;

  private static List<Map<String, Object>> read(Path file) {
    return new FewShotJsonlReader().read(file);
  }

  @Test
  void writesTheFewShotLayoutForEveryHeldOutFamily() {
    MiniT0.writeTasks(dir, 0);
    assertThat(MiniT0.heldOutFamilies()).containsExactly("rating", "not_like", "positive_choice");
    for (String family : MiniT0.heldOutFamilies()) {
      Path f = dir.resolve(family);
      assertThat(f.resolve("templates.yaml")).isRegularFile();
      assertThat(read(f.resolve("test.jsonl"))).hasSize(TaskFiles.TEST_SIZE);
      for (int seed : TaskFiles.FEW_SHOT_SEEDS) {
        assertThat(read(f.resolve("32_shot").resolve(seed + "_seed.jsonl"))).hasSize(TaskFiles.SHOTS);
      }
    }
  }

  @Test
  void labelsAreBalancedRowsDistinctAndFewShotRowsNeverInTheTestSet() {
    MiniT0.writeTasks(dir, 0);
    for (String family : MiniT0.heldOutFamilies()) {
      List<Map<String, Object>> test = read(dir.resolve(family).resolve("test.jsonl"));
      Set<String> testRows = keys(test);
      assertThat(testRows).as(family).hasSize(test.size());
      assertThat(test.stream().filter(r -> ((Number) r.get("label")).intValue() == 1)).hasSize(test.size() / 2);
      for (int seed : TaskFiles.FEW_SHOT_SEEDS) {
        List<Map<String, Object>> shots = read(dir.resolve(family).resolve("32_shot").resolve(seed + "_seed.jsonl"));
        assertThat(keys(shots)).as(family + " seed " + seed).hasSize(shots.size()).doesNotContainAnyElementsOf(testRows);
        assertThat(shots.stream().filter(r -> ((Number) r.get("label")).intValue() == 0)).hasSize(shots.size() / 2);
      }
    }
  }

  @Test
  void everyTemplateRendersEveryRowWithTwoChoicesAndTheLabelledTarget() {
    MiniT0.writeTasks(dir, 0);
    Set<String> words = new HashSet<>(Vocabulary.words());
    PromptRenderer renderer = new PromptRenderer();
    for (String family : MiniT0.heldOutFamilies()) {
      List<PromptTemplate> templates = TemplateCollection.load(dir.resolve(family).resolve("templates.yaml")).all();
      assertThat(templates).as(family).hasSizeGreaterThanOrEqualTo(3);
      for (PromptTemplate t : templates) {
        for (Map<String, Object> row : read(dir.resolve(family).resolve("test.jsonl"))) {
          Optional<RenderedPrompt> p = renderer.render(t, row);
          assertThat(p).as(family + "/" + t.name() + " " + row).isPresent();
          assertThat(p.get().answerChoices()).hasSize(2).doesNotHaveDuplicates();
          assertThat(p.get().target()).isEqualTo(p.get().answerChoices().get(((Number) row.get("label")).intValue()));
          for (String w : (p.get().input() + " " + String.join(" ", p.get().answerChoices())).split(" ")) {
            assertThat(words).as(family + "/" + t.name() + ": " + p.get().input()).contains(w);
          }
        }
      }
    }
  }

  @Test
  void theSameSeedWritesTheSameBytesAndAnotherSeedOtherRows() throws IOException {
    MiniT0.writeTasks(dir.resolve("a"), 0);
    MiniT0.writeTasks(dir.resolve("b"), 0);
    MiniT0.writeTasks(dir.resolve("c"), 1);
    try (Stream<Path> files = Files.walk(dir.resolve("a"))) {
      for (Path a : files.filter(Files::isRegularFile).toList()) {
        Path rel = dir.resolve("a").relativize(a);
        assertThat(Files.readAllBytes(dir.resolve("b").resolve(rel))).as(rel.toString()).isEqualTo(Files.readAllBytes(a));
      }
    }
    assertThat(Files.readString(dir.resolve("c/rating/test.jsonl")))
        .isNotEqualTo(Files.readString(dir.resolve("a/rating/test.jsonl")));
  }

  @Test
  void theCommittedTaskFilesAreWhatTheGeneratorWrites() throws IOException {
    Path committed = Path.of("..", "experiments", "mini-t0", "tasks");
    MiniT0.writeTasks(dir, 0);
    for (String family : MiniT0.heldOutFamilies()) {
      for (String file : List.of("templates.yaml", "test.jsonl", "32_shot/0_seed.jsonl", "32_shot/1_seed.jsonl",
          "32_shot/2_seed.jsonl", "validation.jsonl")) {
        assertThat(Files.readString(committed.resolve(family).resolve(file)))
            .as(family + "/" + file + ": regenerate with `./tfew minit0 tasks --out experiments/mini-t0/tasks`")
            .isEqualTo(Files.readString(dir.resolve(family).resolve(file)));
      }
    }
  }

  @Test
  void validationRowsAreBalancedAndInNeitherTheTestSetNorAnyFewShotSample() {
    MiniT0.writeTasks(dir, 0);
    for (String family : MiniT0.heldOutFamilies()) {
      List<Map<String, Object>> validation = read(dir.resolve(family).resolve("validation.jsonl"));
      assertThat(validation).hasSize(TaskFiles.VALIDATION_SIZE);
      assertThat(keys(validation)).as(family).hasSize(validation.size())
          .doesNotContainAnyElementsOf(keys(read(dir.resolve(family).resolve("test.jsonl"))));
      assertThat(validation.stream().filter(r -> ((Number) r.get("label")).intValue() == 1))
          .hasSize(validation.size() / 2);
      for (int seed : TaskFiles.FEW_SHOT_SEEDS) {
        assertThat(keys(validation)).as(family + " seed " + seed).doesNotContainAnyElementsOf(
            keys(read(dir.resolve(family).resolve("32_shot").resolve(seed + "_seed.jsonl"))));
      }
    }
  }

  private static Set<String> keys(List<Map<String, Object>> rows) {
    Set<String> keys = new HashSet<>();
    rows.forEach(r -> keys.add(JsonlWriter.toJson(r)));
    return keys;
  }
}
