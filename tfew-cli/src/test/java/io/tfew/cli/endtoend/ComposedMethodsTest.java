package io.tfew.cli.endtoend;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tfew.core.adapter.AdapterDirectory;
import io.tfew.core.checkpoint.SafetensorsReader;
import io.tfew.core.testing.ContextPlugins;
import io.tfew.core.testing.TinyTask;
import io.tfew.core.testing.VeraLikeProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Two PEFT methods at once through the CLI: {@code tfew train} with a two-entry {@code peft} list saves
 * {@code adapter/<method>/} per method plus the order ({@code tfew_composition.json}); {@code tfew score
 * --adapter OUT/adapter} reproduces the run's final scores, and so does the directory {@code tfew adapter
 * export} writes. Each member alone scores differently, so both methods are really applied. Combinations
 * that cannot work are refused naming both methods.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ComposedMethodsTest {
  private static final Path RECIPE = Path.of("../experiments/tiny/ia3-rank.yaml").toAbsolutePath();
  private final ObjectMapper json = new ObjectMapper();
  private Path dir;

  @BeforeAll
  void task(@TempDir Path tempDir) throws IOException {
    dir = tempDir;
    TinyTask.write(dir);
  }

  /** The tiny recipe with its peft list replaced by {@code peftYaml} (a YAML list, indented by two). */
  private Path recipe(String name, String peftYaml) throws IOException {
    String text = Files.readString(RECIPE);
    String replaced = text.replace("peft:\n  - method: ia3\n", "peft:\n" + peftYaml);
    assertThat(replaced).as("the recipe's peft list").isNotEqualTo(text);
    Path file = dir.resolve(name + ".yaml");
    Files.writeString(file, replaced);
    return file;
  }

  /**
   * One peft list entry. Prompt tuning keeps PEFT's semantics (no decoder prompt): T-Few's decoder prompt is
   * saved in PEFT's file layout, but PEFT would not apply its decoder rows, so its export cannot score the same.
   */
  private static String entry(String method) {
    return "  - method: " + method + "\n" + (method.equals("prompt_tuning") ? "    decoder: false\n" : "");
  }

  private String[] train(Path recipe, Path out) {
    return new String[] {"train", recipe.toString(), "--out", out.toString(),
        "--set", "model=" + dir.resolve("model"), "--set", "data.train.path=" + dir.resolve("train.jsonl"),
        "--set", "data.eval.path=" + dir.resolve("eval.jsonl"), "--set", "train.steps=30",
        "--set", "train.lr=0.01", "--set", "train.optimizer=adamw", "--set", "train.eval_before=false"};
  }

  @ParameterizedTest
  @CsvSource({"ia3,prompt_tuning", "lora,ia3"})
  void twoBuiltInMethodsTrainSaveReScoreAndExportTogether(String first, String second) throws IOException {
    Path out = dir.resolve(first + "+" + second);
    TrainEndToEndTest.cli(train(recipe(first + "-" + second, entry(first) + entry(second)), out));
    checkComposed(out, first, second);
  }

  @Test
  void aPluginOutsideTheBuiltInSetComposesWithABuiltInOne() throws IOException {
    Path plugins = dir.resolve("plugin-path");
    Path out = dir.resolve("vera+ia3");
    Path recipe = recipe("vera-ia3", "  - method: vera_test\n    r: 2\n  - method: ia3\n");
    ContextPlugins.with(plugins, () -> {
      String said = TrainEndToEndTest.cli(train(recipe, out));
      assertThat(said).containsPattern("trainable parameters, [0-9,]+ frozen\\)");
      try {
        checkComposed(out, "vera_test", "ia3");
        JsonNode provenance = json.readTree(out.resolve("provenance.json").toFile());
        assertThat(provenance.get("frozen_parameters").asLong()).isPositive();
        try (SafetensorsReader r = SafetensorsReader.open(out.resolve("adapter/vera_test")
            .resolve(AdapterDirectory.WEIGHTS_FILE))) {
          assertThat(r.tensors()).containsKeys("base_model.vera_A", "base_model.vera_B");
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return null;
    }, VeraLikeProvider.class);
  }

  @Test
  void methodsThatCannotBeCombinedAreRefusedNamingBoth() throws IOException {
    Path recipe = recipe("clash", "  - method: layernorm\n  - method: lora\n    train_layer_norms: true\n");
    String err = ScoredRows.refusal(train(recipe, dir.resolve("clash")));
    assertThat(err).contains("'layernorm' and 'lora'").contains("layer_norm.weight");
    assertThat(dir.resolve("clash").resolve("adapter")).doesNotExist();
  }

  @Test
  void targetModulesMatchingNothingNamesTheMethodAndItsPatterns() throws IOException {
    Path recipe = recipe("nothing", "  - method: ia3\n  - method: lora\n    target_modules: ['.*SelfAttn\\.q']\n");
    String err = ScoredRows.refusal(train(recipe, dir.resolve("nothing")));
    assertThat(err).contains("PEFT method 'lora' matched no site").contains("target_modules = [.*SelfAttn\\.q]")
        .doesNotContain("declare no trainable parameters");
  }

  private void checkComposed(Path out, String first, String second) throws IOException {
    Path adapter = out.resolve("adapter");
    assertThat(adapter.resolve(first).resolve(AdapterDirectory.WEIGHTS_FILE)).exists();
    assertThat(adapter.resolve(second).resolve(AdapterDirectory.WEIGHTS_FILE)).exists();
    assertThat(json.readTree(adapter.resolve(AdapterDirectory.COMPOSITION_FILE).toFile()).get("tfew_methods")
        .toString()).isEqualTo("[\"" + first + "\",\"" + second + "\"]");

    List<double[]> predicted = ScoredRows.of(Files.readString(out.resolve("predictions/final-all.jsonl")));
    List<double[]> reScored = score(adapter.toString());
    assertThat(ScoredRows.maxAbsDiff(reScored, predicted)).as(first + "+" + second + " re-scored").isLessThan(1e-5);
    for (String member : List.of(first, second)) {
      assertThat(ScoredRows.maxAbsDiff(score(adapter.resolve(member).toString()), predicted))
          .as(member + " alone scores differently").isGreaterThan(1e-4);
    }

    Path exported = out.resolve("exported");
    String said = TrainEndToEndTest.cli("adapter", "export", "--model", dir.resolve("model").toString(), "--adapter",
        adapter.toString(), "--out", exported.toString());
    assertThat(said).contains(exported.resolve(first).toString()).contains(exported.resolve(second).toString());
    assertThat(exported.resolve(first).resolve(AdapterDirectory.CONFIG_FILE)).exists();
    assertThat(exported.resolve(second).resolve(AdapterDirectory.CONFIG_FILE)).exists();
    assertThat(ScoredRows.maxAbsDiff(score(exported.toString()), predicted)).as("exported").isLessThan(1e-5);
  }

  private List<double[]> score(String adapter) throws IOException {
    String out = TrainEndToEndTest.cli("score", "--model", dir.resolve("model").toString(), "--data",
        dir.resolve("eval.jsonl").toString(), "--adapter", adapter, "--batch-size", "32");
    List<double[]> rows = ScoredRows.of(out);
    assertThat(rows).isNotEmpty();
    return rows;
  }
}
