package io.tfew.experiments.sweep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tfew.api.TfewException;
import io.tfew.core.plugin.PluginRegistry;
import io.tfew.core.testing.TestPlugins;
import io.tfew.experiments.config.ExperimentConfig;
import java.io.IOException;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Grid files expand into cells with readable directories and validated configs; bad grids say where. */
class SweepPlanTest {
  @TempDir
  Path tmp;

  private URLClassLoader loader;
  private PluginRegistry registry;

  @BeforeEach
  void installTestPlugins() throws IOException {
    loader = TestPlugins.loader(Files.createDirectories(tmp.resolve("plugins")));
    registry = TestPlugins.registry(loader);
    write("recipes/base.yaml",
        "name: base",
        "model: some/model",
        "seed: 42",
        "data:",
        "  train: {format: fewshot-jsonl, path: none.jsonl}",
        "  templates: {file: none.yaml}",
        "peft:",
        "  - method: ia3",
        "train: {steps: 100, lr: 0.003}");
  }

  @AfterEach
  void close() throws IOException {
    loader.close();
  }

  private Path write(String name, String... lines) throws IOException {
    Path p = tmp.resolve(name);
    Files.createDirectories(p.getParent());
    Files.writeString(p, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
    return p;
  }

  private Path grid(String... axes) throws IOException {
    String[] lines = new String[axes.length + 3];
    lines[0] = "base: ../recipes/base.yaml";
    lines[1] = "set: {train.steps: 10}";
    lines[2] = "axes:";
    System.arraycopy(axes, 0, lines, 3, axes.length);
    return write("grids/g.yaml", lines);
  }

  private Path twoByTwoByTwo() throws IOException {
    Files.createDirectories(tmp.resolve("grids/data/rte"));
    Files.writeString(tmp.resolve("grids/data/rte/1_seed.jsonl"), "");
    return grid(
        "  dataset:",
        "    rte: {data.train.path: 'data/rte/${seed}_seed.jsonl', data.templates.file: data/rte/t.yaml}",
        "    cb: {data.train: {path: 'data/cb/${seed}_seed.jsonl'}}",
        "  method:",
        "    ia3: {}",
        "    lora: {peft: [{method: lora, r: 4}], train.lr: 0.0003}",
        "  seed: [1, 2]");
  }

  @Test
  void cellsAreTheProductOfTheAxesFirstAxisOutermostInDatasetMethodSeedDirectories() throws IOException {
    SweepPlan plan = SweepPlan.load(twoByTwoByTwo(), tmp.resolve("out"), List.of(), registry);

    assertThat(plan.cells()).extracting(p -> p.cell().name()).containsExactly(
        "rte/ia3/seed1", "rte/ia3/seed2", "rte/lora/seed1", "rte/lora/seed2",
        "cb/ia3/seed1", "cb/ia3/seed2", "cb/lora/seed1", "cb/lora/seed2");
    assertThat(plan.cells()).extracting(p -> p.cell().index()).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
    assertThat(plan.cell(6).cell().dir()).isEqualTo(tmp.resolve("out/cb/lora/seed1"));
    assertThat(plan.cell(6).cell().axes()).containsExactly(
        org.assertj.core.api.Assertions.entry("dataset", "cb"), org.assertj.core.api.Assertions.entry("method", "lora"),
        org.assertj.core.api.Assertions.entry("seed", "seed1"));
  }

  @Test
  void eachCellSetsItsAxisValuesOnTheBaseRecipeAndCommandLineOverridesComeLast() throws IOException {
    SweepPlan plan = SweepPlan.load(twoByTwoByTwo(), tmp.resolve("out"), List.of("model=other/model"), registry);

    ExperimentConfig lora = plan.cell(3).config();
    assertThat(lora.name()).isEqualTo("rte/lora/seed2");
    assertThat(lora.seed()).isEqualTo(2);
    assertThat(lora.model()).isEqualTo("other/model");
    assertThat(lora.peft()).extracting(ExperimentConfig.PeftEntry::method).containsExactly("lora");
    assertThat(lora.peft().get(0).config().getInt("r")).isEqualTo(4);
    assertThat(lora.train().lr()).isEqualTo(0.0003);
    assertThat(lora.train().steps()).isEqualTo(10);
    // ${seed} is the seed axis's value; the path stays as written, relative to the grid file that set it.
    assertThat(lora.data().train().path()).isEqualTo("data/rte/2_seed.jsonl");
    assertThat(lora.resolved().origin("data.train.path").file()).isEqualTo(tmp.resolve("grids/g.yaml").toString());

    ExperimentConfig ia3 = plan.cell(4).config();
    assertThat(ia3.peft()).extracting(ExperimentConfig.PeftEntry::method).containsExactly("ia3");
    assertThat(ia3.train().lr()).isEqualTo(0.003);
    // A map merges into the recipe's map: cb sets data.train.path and keeps the recipe's format.
    assertThat(ia3.data().train().path()).isEqualTo("data/cb/1_seed.jsonl");
    assertThat(ia3.data().train().format()).isEqualTo("fewshot-jsonl");
  }

  @Test
  void zeroShotIsACellWithoutPeftAndWithoutSteps() throws IOException {
    SweepPlan plan = SweepPlan.load(grid("  method:", "    zero_shot: {peft: [], train.steps: 0}",
        "    ia3: {}"), tmp.resolve("out"), List.of(), registry);

    assertThat(plan.cell(0).config().peft()).isEmpty();
    assertThat(plan.cell(0).config().train().steps()).isZero();
    assertThat(plan.cell(1).config().train().steps()).isEqualTo(10);
  }

  @Test
  void varsOfOneAxisFillPlaceholdersInAnother() throws IOException {
    SweepPlan plan = SweepPlan.load(grid(
        "  dataset:",
        "    rte: {vars: {labels: '150 151'}, data.train.path: rte.jsonl}",
        "    cb: {vars: {labels: '7'}}",
        "  init:",
        "    one: {}",
        "    labels: {peft: [{method: ia3, targets: ['${labels}']}]}"), tmp.resolve("out"), List.of(), registry);

    assertThat(plan.cells()).extracting(p -> p.cell().name()).containsExactly("rte/one", "rte/labels", "cb/one",
        "cb/labels");
    assertThat(plan.cell(1).config().peft().get(0).config().getStrings("targets")).containsExactly("150 151");
    assertThat(plan.cell(3).config().peft().get(0).config().getStrings("targets")).containsExactly("7");
    assertThat(plan.cell(0).config().data().train().path()).isEqualTo("rte.jsonl");
  }

  @Test
  void aListAxisIsNamedForTheKeyItSetsAndLabelledWithItsLastPart() throws IOException {
    SweepPlan plan = SweepPlan.load(grid("  train.lr: [0.001, 0.003]", "  peft[0].init: [0.5, 1.0]"),
        tmp.resolve("out"), List.of(), registry);

    assertThat(plan.cells()).extracting(p -> p.cell().name())
        .containsExactly("lr0.001/init0.5", "lr0.001/init1.0", "lr0.003/init0.5", "lr0.003/init1.0");
    assertThat(plan.cell(2).config().train().lr()).isEqualTo(0.003);
    assertThat(plan.cell(2).config().peft().get(0).config().getDouble("init")).isEqualTo(0.5);
  }

  @Test
  void anUnknownKeyInAnAxisNamesTheGridFileLineAndKey() throws IOException {
    Path g = grid("  method:", "    ia3: {train.lrr: 0.1}");

    assertThatThrownBy(() -> SweepPlan.load(g, tmp.resolve("out"), List.of(), registry))
        .isInstanceOf(TfewException.class)
        .hasMessageContaining(g + ":5: train.lrr: unknown key; allowed keys are")
        .hasMessageContaining("cell 0 (ia3)");
  }

  @Test
  void anEmptyAxisNamesTheFileLineAndAxis() throws IOException {
    Path g = grid("  method: {}");

    assertThatThrownBy(() -> SweepPlan.load(g, null, List.of(), registry))
        .isInstanceOf(TfewException.class)
        .hasMessageContaining(g + ":4: axes.method: the axis 'method' has no values");
  }

  @Test
  void aMissingOrAbsentBaseIsNamed() throws IOException {
    Path noBase = write("grids/nobase.yaml", "axes: {seed: [1]}");
    Path absent = write("grids/absent.yaml", "base: nowhere.yaml", "axes: {seed: [1]}");

    assertThatThrownBy(() -> SweepPlan.load(noBase, null, List.of(), registry))
        .hasMessageContaining(noBase + ": base: required");
    assertThatThrownBy(() -> SweepPlan.load(absent, null, List.of(), registry))
        .hasMessageContaining(absent + ":1: base: no such file 'nowhere.yaml'");
  }

  @Test
  void unknownTopLevelKeysMissingAxesAndUnknownPlaceholdersAreNamed() throws IOException {
    Path typo = write("grids/typo.yaml", "base: ../recipes/base.yaml", "axis: {seed: [1]}");
    Path noAxes = write("grids/noaxes.yaml", "base: ../recipes/base.yaml");
    Path placeholder = grid("  seed: [1]", "  dataset:", "    rte: {data.train.path: '${sed}.jsonl'}");

    assertThatThrownBy(() -> SweepPlan.load(typo, null, List.of(), registry))
        .hasMessageContaining(typo + ":2: axis: unknown key in a sweep grid; allowed keys are axes, base, out, set");
    assertThatThrownBy(() -> SweepPlan.load(noAxes, null, List.of(), registry))
        .hasMessageContaining(noAxes + ": axes: required");
    assertThatThrownBy(() -> SweepPlan.load(placeholder, null, List.of(), registry))
        .hasMessageContaining(placeholder + ":6: data.train.path: ${sed} names no axis or var; there are seed, dataset");
  }

  @Test
  void labelsThatCannotNameADirectoryAndRepeatedValuesAreRefused() throws IOException {
    Path slash = write("grids/slash.yaml", "base: ../recipes/base.yaml", "axes:", "  dataset:", "    a/b: {}");
    Path twice = write("grids/twice.yaml", "base: ../recipes/base.yaml", "axes:", "  seed: [1, 1]");

    assertThatThrownBy(() -> SweepPlan.load(slash, null, List.of(), registry))
        .hasMessageContaining(slash + ":4: axes.dataset.a/b: the label 'a/b' names a directory");
    assertThatThrownBy(() -> SweepPlan.load(twice, null, List.of(), registry))
        .hasMessageContaining("the axis 'seed' has the value 'seed1' twice");
  }

  @Test
  void aCellIndexOutsideTheGridNamesTheRange() throws IOException {
    SweepPlan plan = SweepPlan.load(grid("  seed: [1, 2]"), null, List.of(), registry);

    assertThatThrownBy(() -> plan.cell(2)).hasMessageContaining("--cell 2:").hasMessageContaining("has 2 cells, 0 to 1");
  }

  @Test
  void theDefaultOutputDirectoryIsRunsSlashTheGridName() throws IOException {
    SweepPlan plan = SweepPlan.load(grid("  seed: [1]"), null, List.of(), registry);

    assertThat(plan.out()).isEqualTo(Path.of("runs/g"));
    assertThat(plan.cell(0).cell().dir()).isEqualTo(Path.of("runs/g/seed1"));
  }
}
