package io.tfew.experiments;

import static org.assertj.core.api.Assertions.assertThat;

import io.tfew.core.plugin.PluginRegistry;
import io.tfew.core.testing.SharedFixtures;
import io.tfew.core.tokenize.T5Tokenizer;
import io.tfew.experiments.config.ExperimentConfig;
import io.tfew.experiments.demo.DemoCell;
import io.tfew.experiments.demo.DemoGrid;
import io.tfew.experiments.run.RunData;
import io.tfew.experiments.run.RunPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every recipe under experiments/ validates against the installed plugins, and the data and template
 * files the T0 recipes name exist in the repository's data/ and fixtures/ (so a user who points
 * `model` at a T0 download can run them as they are). The T0-11B recipes reuse the same data files, so their data is not loaded twice.
 */
class RecipesTest {
  static Stream<Path> recipes() throws IOException {
    try (Stream<Path> files = Files.walk(Path.of("."), 2)) {
      return files.filter(p -> p.toString().endsWith(".yaml"))
          .filter(p -> !p.getFileName().toString().equals("base.yaml"))
          .filter(p -> !p.toString().contains("target"))
          // Sweep grids are not recipes; GridsTest expands and validates them.
          .filter(p -> !p.normalize().startsWith("grids"))
          // The demo's grid is not a recipe; demoGridNamesRecipesAndFilesThatExist checks it.
          .filter(p -> !p.getFileName().toString().equals("demo.yaml")).sorted().toList().stream();
    }
  }

  @ParameterizedTest
  @MethodSource("recipes")
  void recipeValidatesAndItsFilesExist(Path recipe) {
    ExperimentConfig c = ExperimentConfig.load(recipe, List.of(), PluginRegistry.discover());
    // Only the demo's method-free parent and its zero-shot recipe train nothing.
    boolean methodFree = List.of("few-shot.yaml", "zero-shot.yaml").contains(recipe.getFileName().toString());
    assertThat(c.peft().isEmpty()).as(recipe + " has no PEFT method").isEqualTo(methodFree);
    if (recipe.toString().contains("t0-3b")) {
      Path dir = recipe.toAbsolutePath().getParent();
      Path base = Path.of(c.resolved().origin("data.train.path").file()).toAbsolutePath().getParent();
      assertThat(base.resolve(c.data().train().path())).exists();
      assertThat(base.resolve(c.data().eval().path())).exists();
      assertThat(base.resolve(c.data().templates().file())).exists();
      assertThat(Path.of(c.peft().get(0).config().getString("init"))).as("t-few's pre-trained (IA)^3 vectors")
          .isRegularFile();
      assertThat(c.train().steps()).isEqualTo(1000);
      assertThat(c.losses()).containsOnlyKeys("lm", "unlikelihood", "length_norm");
      assertThat(dir).exists();
      // The whole data path with the real T5 tokenizer: reading, template rendering, tokenizing.
      try (T5Tokenizer tokenizer = T5Tokenizer.load(SharedFixtures.path("tokenizers/t5/tokenizer.json"), 256)) {
        RunData data = RunData.load(c, RunPaths.of(c), tokenizer);
        assertThat(data.train().size()).as("training rows rendered").isGreaterThan(0);
        assertThat(data.skipped().getOrDefault("train", 0)).as("training rows no template renders").isZero();
        assertThat(data.eval()).as("one evaluation set per template").hasSizeGreaterThan(1);
        data.eval().values().forEach(set -> assertThat(set.encoded()).isNotEmpty());
      }
    }
  }

  @Test
  void demoGridNamesRecipesAndFilesThatExist() {
    DemoGrid grid = DemoGrid.load(Path.of("mini-t0/demo.yaml"));
    List<DemoCell> cells = grid.cells();
    assertThat(cells).hasSize(grid.tasks().size() * (1 + grid.methods().size() * grid.seeds()));
    for (String method : grid.methods()) {
      assertThat(ExperimentConfig.load(grid.recipe(method), List.of(), PluginRegistry.discover()).peft())
          .extracting(ExperimentConfig.PeftEntry::method).containsExactly(method);
    }
  }
}
