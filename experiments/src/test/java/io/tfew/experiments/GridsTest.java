package io.tfew.experiments;

import static org.assertj.core.api.Assertions.assertThat;

import io.tfew.core.config.ExperimentConfig;
import io.tfew.core.config.Origin;
import io.tfew.core.plugin.PluginRegistry;
import io.tfew.core.sweep.CellParameterCount;
import io.tfew.core.sweep.SweepPlan;
import io.tfew.core.testing.SharedFixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every grid in experiments/grids expands into cells whose configs validate against the installed
 * plugins; where the mini-T0 task files and checkpoint exist, every cell's data and model are there.
 */
class GridsTest {
  private static final Path GRIDS = Path.of("grids").toAbsolutePath();
  private static final PluginRegistry REGISTRY = PluginRegistry.discover();

  private static List<Path> grids() throws IOException {
    try (Stream<Path> files = Files.list(GRIDS)) {
      return files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
  }

  private static SweepPlan plan(String name) {
    return SweepPlan.load(GRIDS.resolve(name), Path.of("runs/test"), List.of(), REGISTRY);
  }

  @Test
  void everyGridExpandsIntoValidCellsWithDistinctDirectories() throws IOException {
    assertThat(grids()).extracting(p -> p.getFileName().toString())
        .contains("peft-comparison.yaml", "losses.yaml", "ia3-pretraining.yaml", "prompt-tuning.yaml");
    for (Path grid : grids()) {
      SweepPlan plan = SweepPlan.load(grid, Path.of("runs/test"), List.of(), REGISTRY);
      assertThat(plan.cells()).as(grid.toString()).isNotEmpty();
      assertThat(plan.cells().stream().map(c -> c.cell().dir()).distinct().count()).isEqualTo(plan.cells().size());
      for (SweepPlan.Planned p : plan.cells()) {
        assertThat(p.cell().name()).startsWith(p.cell().axes().get("dataset") + "/").endsWith("/seed"
            + p.config().seed());
        assertExistingPathsAreThere(p.config(), grid);
      }
    }
  }

  @Test
  void theGridsHaveThePapersCells() {
    assertThat(plan("peft-comparison.yaml").cells()).hasSize(3 * 12 * 3);
    assertThat(plan("losses.yaml").cells()).hasSize(3 * 4 * 3);
    assertThat(plan("ia3-pretraining.yaml").cells()).hasSize(3 * 2 * 3);
    assertThat(plan("prompt-tuning.yaml").cells()).hasSize(3 * 3 * 5 * 3);
  }

  @Test
  void thePeftComparisonHasEveryInstalledMethodAndZeroShot() {
    SweepPlan plan = plan("peft-comparison.yaml");
    Set<String> methods = plan.cells().stream().flatMap(p -> p.config().peft().stream())
        .map(ExperimentConfig.PeftEntry::method).collect(Collectors.toCollection(TreeSet::new));
    assertThat(methods).containsAll(REGISTRY.methods().keySet());
    SweepPlan.Planned zeroShot = plan.cells().stream().filter(p -> p.cell().name().contains("/zero_shot/"))
        .findFirst().orElseThrow();
    assertThat(zeroShot.config().peft()).isEmpty();
    assertThat(zeroShot.config().train().steps()).isZero();
  }

  @Test
  void theLossAblationSwitchesUnlikelihoodAndLengthNormOnAndOff() {
    Map<String, Set<String>> losses = plan("losses.yaml").cells().stream().collect(Collectors.toMap(
        p -> p.cell().axes().get("losses"), p -> p.config().losses().keySet(), (a, b) -> a));
    assertThat(losses).containsExactlyInAnyOrderEntriesOf(Map.of(
        "lm", Set.of("lm"), "lm+ul", Set.of("lm", "unlikelihood"), "lm+ln", Set.of("lm", "length_norm"),
        "lm+ul+ln", Set.of("lm", "unlikelihood", "length_norm")));
  }

  @Test
  void theIa3PretrainingGridStartsFromOnesOrTheCommittedPretrainedVectors() {
    Path committed = GRIDS.resolve("../../models/mini-t0-ia3/adapter/adapter_model.safetensors").normalize();
    assertThat(committed).isRegularFile();
    for (SweepPlan.Planned p : plan("ia3-pretraining.yaml").cells()) {
      String init = p.config().peft().get(0).config().getString("init");
      String axis = p.cell().axes().get("init");
      assertThat(init).as(p.cell().name())
          .isEqualTo(axis.equals("ones") ? "ones" : committed.toString());
    }
  }

  @Test
  void classLabelPromptsStartFromTheirOwnDatasetsAnswerIds() {
    for (SweepPlan.Planned p : plan("prompt-tuning.yaml").cells()) {
      List<String> ids = p.config().peft().get(0).config().getStrings("init_token_ids");
      assertThat(ids.isEmpty()).as(p.cell().name()).isEqualTo(!p.cell().name().contains("/class_labels/"));
    }
    assertThat(plan("prompt-tuning.yaml").cell(0).config().peft().get(0).method()).isEqualTo("prompt_tuning");
  }

  /**
   * The paper's comparison runs each method in the paper's setting: on the T0-3B config, every cell's
   * count (as the dry run prints it) is Table 4's, with prefix tuning counted as the paper counts it.
   */
  @Test
  void thePeftComparisonCountsOnT03bAreTable4s() {
    Path t03b = SharedFixtures.path("fixtures/configs/t0-3b");
    SweepPlan plan = SweepPlan.load(GRIDS.resolve("peft-comparison.yaml"), Path.of("runs/test"),
        List.of("model=" + t03b), REGISTRY);
    CellParameterCount counts = new CellParameterCount(REGISTRY);
    Map<String, Long> reported = new TreeMap<>();
    Map<String, Long> trained = new TreeMap<>();
    for (SweepPlan.Planned p : plan.cells()) {
      if (p.config().seed() != 0) {
        continue;
      }
      CellParameterCount.Count c = counts.of(plan.grid(), p).orElseThrow();
      reported.merge(p.cell().axes().get("method"), c.reported(), (a, b) -> {
        assertThat(a).as(p.cell().name()).isEqualTo(b);
        return a;
      });
      trained.put(p.cell().axes().get("method"), c.trained());
    }
    assertThat(reported).containsAllEntriesOf(Map.of(
        "zero_shot", 0L,
        "ia3", 540_672L,
        "lora", 9_097_216L,
        "adapter", 12_934_144L,
        "bitfit", 1_331_200L,
        "layernorm", 249_856L,
        "prompt_tuning", 40_960L,
        "prefix_tuning", 589_824L));
    assertThat(trained.get("prefix_tuning")).isEqualTo(154_449_408L);
    assertThat(trained.get("lora")).isEqualTo(reported.get("lora"));

    String dryRun = TrainEndToEndTest.cli("sweep", GRIDS.resolve("peft-comparison.yaml").toString(), "--dry-run",
        "--out", "runs/test", "--set", "model=" + t03b);
    assertThat(dryRun).containsPattern("/prefix_tuning/seed0 .*\\[589,824 trainable counted with "
        + "prefix_tuning.reparameterize=false \\(154,449,408 updated in training\\)]")
        .containsPattern("/lora/seed0 .*\\[9,097,216 trainable]");
  }

  /** Data, templates and model, checked where they exist: the mini-T0 files may not be made yet. */
  private static void assertExistingPathsAreThere(ExperimentConfig c, Path grid) {
    Path tasks = GRIDS.resolveSibling("mini-t0").resolve("tasks");
    for (String key : List.of("data.train.path", "data.eval.path", "data.templates.file")) {
      Path file = resolved(c, key);
      if (file.startsWith(tasks.normalize()) && Files.isDirectory(tasks)) {
        assertThat(file).as("%s: %s of %s", grid, key, c.name()).isRegularFile();
      }
    }
    Path model = resolved(c, "model");
    if (Files.isDirectory(model.getParent())) {
      assertThat(model.resolve("config.json")).as("%s: model of %s", grid, c.name()).isRegularFile();
    }
  }

  private static Path resolved(ExperimentConfig c, String key) {
    Origin o = c.resolved().origin(key);
    Path value = Path.of(String.valueOf(c.resolved().get(key)));
    return (o.kind() == Origin.Kind.FILE ? Path.of(o.file()).toAbsolutePath().getParent().resolve(value) : value)
        .normalize();
  }
}
