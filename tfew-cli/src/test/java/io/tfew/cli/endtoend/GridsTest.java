package io.tfew.cli.endtoend;

import static org.assertj.core.api.Assertions.assertThat;

import io.tfew.core.plugin.PluginRegistry;
import io.tfew.core.testing.SharedFixtures;
import io.tfew.experiments.config.ExperimentConfig;
import io.tfew.experiments.config.Origin;
import io.tfew.experiments.sweep.SweepPlan;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every grid in experiments/grids expands into cells whose configs validate against the installed
 * plugins; where the mini-T0 task files and checkpoint exist, every cell's data and model are there.
 */
class GridsTest {
  private static final Path GRIDS = Path.of("../experiments/grids").toAbsolutePath();
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
   * The paper's comparison runs each method in the paper's setting: on the T0-3B config, the count the dry
   * run prints for every cell is Table 4's, with prefix tuning counted as the paper counts it. (Counting
   * builds T0-3B's graph once per distinct method, so the test reads the dry run rather than counting twice.)
   */
  @Test
  void thePeftComparisonDryRunOnT03bPrintsTable4sCounts() {
    Path t03b = SharedFixtures.path("fixtures/configs/t0-3b");
    String dryRun = TrainEndToEndTest.cli("sweep", GRIDS.resolve("peft-comparison.yaml").toString(), "--dry-run",
        "--out", "runs/test", "--set", "model=" + t03b);
    Pattern line = Pattern.compile("^\\s*\\d+\\s+\\S+\\s+[^/\\s]+/([^/\\s]+)/seed\\d+ .*\\[([0-9,]+) trainable(.*)]$");
    Map<String, Set<String>> counts = new TreeMap<>();
    Map<String, String> notes = new TreeMap<>();
    int cells = 0;
    for (String l : dryRun.lines().toList()) {
      Matcher m = line.matcher(l);
      if (m.matches()) {
        cells++;
        counts.computeIfAbsent(m.group(1), k -> new TreeSet<>()).add(m.group(2));
        notes.put(m.group(1), m.group(3));
      }
    }
    assertThat(cells).as(dryRun).isEqualTo(3 * 12 * 3);
    assertThat(counts).containsAllEntriesOf(Map.of(
        "zero_shot", Set.of("0"),
        "ia3", Set.of("540,672"),
        "lora", Set.of("9,097,216"),
        "adapter", Set.of("12,934,144"),
        "bitfit", Set.of("1,331,200"),
        "layernorm", Set.of("249,856"),
        "prompt_tuning", Set.of("40,960"),
        "prefix_tuning", Set.of("589,824")));
    assertThat(notes.get("prefix_tuning"))
        .isEqualTo(" counted with prefix_tuning.reparameterize=false (154,449,408 updated in training)");
    assertThat(notes.get("lora")).isEmpty();
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
