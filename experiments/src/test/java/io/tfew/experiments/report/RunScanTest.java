package io.tfew.experiments.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tfew.api.TfewException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunScanTest {
  @TempDir
  Path root;

  private Map<String, RunResult> scan() throws IOException {
    SyntheticRuns.standardSet(root);
    return new RunScan("accuracy", "name").scan(root).stream()
        .collect(Collectors.toMap(r -> r.dir().toString(), Function.identity()));
  }

  @Test
  void findsEveryRunDirectoryRecursivelyWithoutEnteringOne() throws IOException {
    assertThat(scan().keySet()).containsExactlyInAnyOrder("rte/ia3/seed0", "rte/ia3/seed1", "cb/ia3/seed0",
        "rte/lora/seed0", "rte/zero/seed0", "cb/lora/seed0", "cb/ia3/seed1");
  }

  @Test
  void readsDatasetMethodSeedParametersPerTemplateValuesAndTheLossCurve() throws IOException {
    RunResult run = scan().get("rte/ia3/seed1");
    assertThat(run.state()).isEqualTo(RunResult.State.COUNTED);
    assertThat(run.dataset()).isEqualTo("rte");
    assertThat(run.method()).isEqualTo("ia3");
    assertThat(run.seed()).hasValue(1);
    assertThat(run.values()).containsExactly(0.9, 0.5);
    assertThat(run.trainable()).hasValue(640);
    assertThat(run.baseParameters()).hasValue(SyntheticRuns.BASE);
    assertThat(run.loss()).extracting(RunResult.LossPoint::step).containsExactly(1L, 2L, 3L);
    assertThat(run.loss().get(1).loss()).isEqualTo(3.0 / 2 + 1);
  }

  @Test
  void aRunWithoutPeftMethodsIsZeroShotWithNoTrainableParameters() throws IOException {
    RunResult run = scan().get("rte/zero/seed0");
    assertThat(run.method()).isEqualTo(ResultsTable.ZERO_SHOT);
    assertThat(run.trainable()).hasValue(0);
  }

  @Test
  void unfinishedRunsAndRunsWithoutTheMetricAreListedWithTheReason() throws IOException {
    Map<String, RunResult> runs = scan();
    assertThat(runs.get("cb/lora/seed0").state()).isEqualTo(RunResult.State.UNFINISHED);
    assertThat(runs.get("cb/lora/seed0").detail()).contains("finished");
    assertThat(runs.get("cb/ia3/seed1").state()).isEqualTo(RunResult.State.NO_METRIC);
    assertThat(runs.get("cb/ia3/seed1").detail()).contains("accuracy").contains("macro_f1");
  }

  @Test
  void severalMethodsJoinWithPlusInConfigOrder() throws IOException {
    SyntheticRuns.finished(root.resolve("x"), "rte", List.of("lora", "prompt_tuning"), 0, 10, 0.5);
    assertThat(new RunScan("accuracy", "name").scan(root).get(0).method()).isEqualTo("lora+prompt_tuning");
  }

  @Test
  void theDatasetCanComeFromAnotherConfigKey() throws IOException {
    SyntheticRuns.finished(root.resolve("x"), "rte", List.of("ia3"), 0, 10, 0.5);
    assertThat(new RunScan("accuracy", "train.lr").scan(root).get(0).dataset()).isEqualTo("0.3");
  }

  @Test
  void aRunWithoutProvenanceYetIsUnfinishedAndReadsItsConfig() throws IOException {
    Files.createDirectories(root.resolve("early"));
    Files.writeString(root.resolve("early/config.resolved.yaml"), "name: wic\npeft:\n  - method: lora\n");
    RunResult run = new RunScan("accuracy", "name").scan(root).get(0);
    assertThat(run.state()).isEqualTo(RunResult.State.UNFINISHED);
    assertThat(run.dataset()).isEqualTo("wic");
    assertThat(run.method()).isEqualTo("lora");
  }

  @Test
  void aCorruptMetricsFileMakesTheRunUnreadableNamingTheLine() throws IOException {
    SyntheticRuns.finished(root.resolve("x"), "rte", List.of("ia3"), 0, 10, 0.5);
    Files.writeString(root.resolve("x/metrics.jsonl"), "{\"phase\":\"train\"}\n{oops\n");
    RunResult run = new RunScan("accuracy", "name").scan(root).get(0);
    assertThat(run.state()).isEqualTo(RunResult.State.UNREADABLE);
    assertThat(run.detail()).contains("metrics.jsonl").contains("line 2");
  }

  @Test
  void aMissingDirectoryIsAnErrorNamingIt() {
    assertThatThrownBy(() -> new RunScan("accuracy", "name").scan(root.resolve("nope")))
        .isInstanceOf(TfewException.class).hasMessageContaining("nope").hasMessageContaining("no such directory");
  }

  @Test
  void byDefaultDemoCellsFallIntoOneColumnPerTaskWhateverTheirNames() throws IOException {
    SyntheticRuns.demoSet(root, List.of("ia3", "lora"), List.of("rating", "not_like"), 2);
    List<RunResult> runs = new RunScan("accuracy").scan(root);
    assertThat(runs).hasSize(2 + 2 * 2 * 2);
    assertThat(runs).extracting(RunResult::dataset).containsOnly("rating", "not_like");
    assertThat(runs.stream().filter(r -> r.dir().toString().equals("lora/not_like/seed1")).findFirst().orElseThrow()
        .dataset()).isEqualTo("not_like");
    // Grouping by name, as before, gives one column per cell.
    assertThat(new RunScan("accuracy", "name").scan(root)).extracting(RunResult::dataset).doesNotHaveDuplicates();
  }

  @Test
  void aSweepCellIsInTheColumnOfItsDatasetAxis() throws IOException {
    SyntheticRuns.write(root.resolve("g/rte/ia3/seed0"), "rte/ia3/seed0", "/d/same.jsonl",
        Map.of("dataset", "rte", "method", "ia3", "seed", "0"), List.of("ia3"), 0, 10, true, "accuracy", 0.5);
    SyntheticRuns.write(root.resolve("g/cb/ia3/seed0"), "cb/ia3/seed0", "/d/same.jsonl",
        Map.of("task", "cb", "method", "ia3", "seed", "0"), List.of("ia3"), 0, 10, true, "accuracy", 0.5);
    assertThat(new RunScan("accuracy").scan(root)).extracting(RunResult::dataset).containsExactly("cb", "rte");
  }

  @Test
  void aRunWithNeitherAxisNorEvaluationFileIsInTheColumnOfItsName() throws IOException {
    SyntheticRuns.finished(root.resolve("x"), "rte", List.of("ia3"), 0, 10, 0.5);
    assertThat(new RunScan("accuracy").scan(root).get(0).dataset()).isEqualTo("rte");
  }
}
