package io.tfew.experiments.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DemoTableTest {
  private static DemoRunner.CellResult cell(String method, String task, int seed, double... accuracies) {
    Map<String, Double> byTemplate = new LinkedHashMap<>();
    for (int i = 0; i < accuracies.length; i++) {
      byTemplate.put("t" + i, accuracies[i]);
    }
    Path p = Path.of("x");
    return new DemoRunner.CellResult(new DemoCell(method, task, seed, p, p, p, p), p, byTemplate,
        method.equals("ia3") ? 50 : 0, 1000);
  }

  @Test
  void poolsSeedsAndTemplatesPerTaskThenAveragesTheMedians() {
    DemoTable table = DemoTable.of(List.of("a", "b"), List.of(
        cell("ia3", "a", 0, 0.1, 0.2), cell("ia3", "a", 1, 0.3, 0.4), cell("ia3", "a", 2, 0.5, 0.6),
        cell("ia3", "b", 0, 0.8, 0.8), cell("ia3", "b", 1, 0.8, 0.8), cell("ia3", "b", 2, 0.8, 0.8)));

    DemoTable.Row row = table.rows().get(0);
    // numpy: median([.1 .2 .3 .4 .5 .6]) = .35, percentile 25 = .225, 75 = .475
    assertThat(row.byTask().get("a").median()).isCloseTo(0.35, within(1e-12));
    assertThat(row.byTask().get("a").q1()).isCloseTo(0.225, within(1e-12));
    assertThat(row.byTask().get("a").q3()).isCloseTo(0.475, within(1e-12));
    assertThat(row.meanOfMedians()).isCloseTo((0.35 + 0.8) / 2, within(1e-12));
    assertThat(row.valuesPerTask()).isEqualTo(6);
    assertThat(row.trainablePercent()).isCloseTo(5.0, within(1e-12));
  }

  @Test
  void rendersOneRowPerMethodInEveryFormat() {
    DemoTable table = DemoTable.of(List.of("a"), List.of(cell("zero_shot", "a", 0, 0.5, 0.7),
        cell("ia3", "a", 0, 0.9, 0.9)));

    assertThat(table.text().lines().toList()).hasSize(3);
    assertThat(table.text().lines().toList().get(2)).startsWith("ia3").contains("90.0 [90.0-90.0]").endsWith("90.0");
    assertThat(table.markdown().lines().toList()).hasSize(4).element(1).isEqualTo("|---|---:|---:|---:|---:|");
    assertThat(table.csv().lines().toList()).containsExactly(
        "method,task,median,q1,q3,values,trainable_parameters,trainable_percent",
        "zero_shot,a,0.600000,0.550000,0.650000,2,0,0.000000",
        "zero_shot,mean_of_medians,0.600000,,,,0,0.000000",
        "ia3,a,0.900000,0.900000,0.900000,2,50,5.000000",
        "ia3,mean_of_medians,0.900000,,,,50,5.000000");
  }

  private static DemoRunner.CellResult tuned(String method, String task, double lr, double... accuracies) {
    Map<String, Double> byTemplate = new LinkedHashMap<>();
    for (int i = 0; i < accuracies.length; i++) {
      byTemplate.put("t" + i, accuracies[i]);
    }
    Path p = Path.of("x");
    return new DemoRunner.CellResult(new DemoCell(method, task, 0, p, p, p, p, OptionalDouble.of(lr)), p,
        byTemplate, 50, 1000);
  }

  @Test
  void tuningChoosesOneRatePerMethodByTheMeanOverTasksNotEachTasksBest() {
    // Task a prefers 0.1 (0.9 vs 0.7), task b prefers 0.01 (0.8 vs 0.5): means 0.7 (0.1) and 0.75 (0.01).
    LrSelection selection = LrSelection.of(List.of("a", "b"), List.of(
        tuned("ia3", "a", 0.1, 0.9, 0.9), tuned("ia3", "b", 0.1, 0.5, 0.5),
        tuned("ia3", "a", 0.01, 0.7, 0.7), tuned("ia3", "b", 0.01, 0.8, 0.8),
        tuned("lora", "a", 0.003, 0.6), tuned("lora", "b", 0.003, 0.6)));

    assertThat(selection.chosen()).containsExactly(Map.entry("ia3", 0.01), Map.entry("lora", 0.003));
    assertThat(selection.perTask().get("ia3")).containsExactly(Map.entry("a", 0.1), Map.entry("b", 0.01));
    assertThat(selection.trials().get(1).meanOfMedians()).isCloseTo(0.75, within(1e-12));
    assertThat(selection.text().lines().toList()).hasSize(4);
    assertThat(selection.text().lines().toList().get(2)).startsWith("ia3").contains("0.01", "75.0").endsWith("<");
    assertThat(selection.csv()).contains("ia3,0.01,mean_of_medians,0.750000,,,true", "ia3,0.1,a,0.900000");
  }

  /**
   * The committed grid tunes on validation rows and reports on test rows, and no row of a task's
   * validation file is in its test file or in a few-shot sample.
   */
  @Test
  void theMiniT0GridTunesOnValidationRowsThatAreInNeitherTheTestSetNorTheSamples() throws IOException {
    DemoGrid grid = DemoGrid.load(Path.of("..", "experiments", "mini-t0", "demo.yaml"));
    assertThat(grid.cells()).allSatisfy(c -> assertThat(c.test().getFileName()).hasToString("test.jsonl"));
    List<DemoCell> tune = grid.tuneCells();
    assertThat(tune).isNotEmpty().allSatisfy(c -> {
      assertThat(c.test().getFileName()).hasToString("validation.jsonl");
      assertThat(c.lr()).isPresent();
      assertThat(c.overrides(0)).contains("train.lr=" + c.lr().getAsDouble(), "data.eval.path=" + c.test()
          .toAbsolutePath());
    });
    for (String task : grid.tasks()) {
      Path dir = grid.tasksDir().resolve(task);
      Set<String> validation = new HashSet<>(Files.readAllLines(dir.resolve("validation.jsonl")));
      assertThat(validation).as(task).hasSizeGreaterThanOrEqualTo(100)
          .doesNotContainAnyElementsOf(Files.readAllLines(dir.resolve("test.jsonl")));
      for (int seed = 0; seed < grid.seeds(); seed++) {
        assertThat(validation).as(task + " sample " + seed).doesNotContainAnyElementsOf(
            Files.readAllLines(dir.resolve(grid.shots() + "_shot").resolve(seed + "_seed.jsonl")));
      }
    }
  }
}
