package io.tfew.cli.endtoend;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tfew.api.peft.PeftMethodProvider;
import io.tfew.cli.TfewCli;
import io.tfew.core.model.T5Config;
import io.tfew.core.plugin.PluginContext;
import io.tfew.core.testing.PluginJars;
import io.tfew.core.testing.TinyTask;
import io.tfew.experiments.run.FileDigests;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * A plugin author's PEFT method, compiled here from source against tfew-api into a jar that is not on the
 * class path, used with every command through the plugin path: listed by {@code tfew plugins}, trained by
 * {@code tfew train}, re-scored by {@code tfew score --adapter}, run by a sweep's worker processes and by
 * {@code bench memory}'s child, recorded in provenance with its digest and checked by {@code train --from}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OutsidePluginEndToEndTest {
  private static final String PROVIDER = "org.example.ffngain.FfnGainProvider";
  private static final int STEPS = 40;

  /**
   * {@code ffn_gain}: a trainable gain per FFN unit, multiplying the activation that enters {@code wo}
   * (the l_ff part of (IA)^3 on its own), starting at {@code init}.
   */
  private static String source(String description) {
    return """
        package org.example.ffngain;

        import io.tfew.api.config.ConfigField;
        import io.tfew.api.config.ConfigSection;
        import io.tfew.api.model.FfnSite;
        import io.tfew.api.model.ParameterInit;
        import io.tfew.api.peft.PeftMethod;
        import io.tfew.api.peft.PeftMethodProvider;
        import java.util.List;
        import org.tensorflow.Operand;
        import org.tensorflow.ndarray.Shape;
        import org.tensorflow.types.TFloat32;

        public final class FfnGainProvider implements PeftMethodProvider {
          public String name() { return "ffn_gain"; }
          public String description() { return "%s"; }
          public List<ConfigField> configFields() {
            return List.of(ConfigField.ofDouble("init", 1.0, "the gain every unit starts at"));
          }
          public PeftMethod create(ConfigSection config) {
            float init = (float) config.getDouble("init");
            return new PeftMethod() {
              @Override
              public Operand<TFloat32> ffnActivation(FfnSite site, Operand<TFloat32> activation) {
                Operand<TFloat32> gain = site.context().parameters().trainable(site.path() + ".gain",
                    Shape.of(1, site.width()), ParameterInit.constant(init));
                return site.context().tf().math.mul(activation, gain);
              }
            };
          }
        }
        """.formatted(description);
  }

  private Path dir;
  private Path jar;
  private String jarSha;
  private Path recipe;
  private Path run;
  private Run train;

  @BeforeAll
  void trainWithThePluginPath(@TempDir Path tempDir) throws IOException {
    dir = tempDir;
    TinyTask.write(dir);
    jar = buildJar("scales each FFN unit's activation by a trained gain");
    jarSha = FileDigests.sha256(jar);
    recipe = dir.resolve("ffn-gain.yaml");
    Files.writeString(recipe, String.join("\n",
        "name: tiny-ffn-gain",
        "seed: 1",
        "model: " + dir.resolve("model"),
        "data:",
        "  train: {format: rank_jsonl, path: " + dir.resolve("train.jsonl") + "}",
        "  eval: {format: rank_jsonl, path: " + dir.resolve("eval.jsonl") + "}",
        "peft:",
        "  - method: ffn_gain",
        "losses: {lm: 1.0, unlikelihood: 1.0, length_norm: 1.0}",
        "train: {steps: " + STEPS + ", batch_size: 8, lr: 0.3, checkpoint_every: 20}",
        "eval: {batch_size: 32, metrics: [accuracy]}",
        ""));
    run = dir.resolve("run");
    train = cli(Map.of(), "--plugin-path", jar.toString(), "train", recipe.toString(), "--out", run.toString());
  }

  private Path buildJar(String description) throws IOException {
    // Outside every directory of the test class path, as a plugin author's own build output would be.
    return PluginJars.builder()
        .source(PROVIDER, source(description))
        .service(PeftMethodProvider.class.getName(), PROVIDER)
        .write(dir.resolve("author-build/ffn-gain-0.1.jar"));
  }

  @Test
  @Order(1)
  void withoutThePluginPathTheMethodIsNotInstalled() {
    Run r = cli(Map.of(), "train", recipe.toString(), "--out", dir.resolve("no-plugin").toString());

    assertThat(r.exit()).isEqualTo(TfewCli.USAGE);
    assertThat(r.err()).contains("no PEFT method named 'ffn_gain'");
  }

  @Test
  @Order(2)
  void pluginsListsTheMethodWithItsJarFromTheOptionOrTheEnvironment() {
    Run byOption = cli(Map.of(), "--plugin-path", jar.toString(), "plugins");
    Run byEnv = cli(Map.of(PluginContext.ENV, jar.getParent().toString()), "plugins");

    for (Run r : List.of(byOption, byEnv)) {
      assertThat(r.exit()).as(r.err()).isZero();
      assertThat(r.out().lines().toList()).containsSubsequence(
          "  ffn_gain - scales each FFN unit's activation by a trained gain", "      from: " + jar);
      // The built-in plugins of the reactor stay, attributed to the class path.
      assertThat(r.out()).contains("  ia3 - ", "from: built-in (class path)");
    }
  }

  @Test
  @Order(3)
  void theOutsideMethodTrainsOnTheTinyTask() throws IOException {
    assertThat(train.exit()).as(train.err()).isZero();
    T5Config model = T5Config.read(dir.resolve("model/config.json"));
    JsonNode provenance = json(run.resolve("provenance.json"));
    // One gain per FFN unit in every encoder and decoder block.
    assertThat(provenance.get("trainable_parameters").asLong())
        .isEqualTo((long) (model.numLayers() + model.numDecoderLayers()) * model.dFf());
    List<Double> losses = new ArrayList<>();
    for (String line : Files.readAllLines(run.resolve("metrics.jsonl"))) {
      JsonNode row = new ObjectMapper().readTree(line);
      if (row.get("phase").asText().equals("train")) {
        losses.add(row.get("loss").asDouble());
      }
    }
    assertThat(losses).hasSize(STEPS);
    double first = losses.subList(0, 5).stream().mapToDouble(d -> d).average().orElseThrow();
    double last = losses.subList(STEPS - 5, STEPS).stream().mapToDouble(d -> d).average().orElseThrow();
    assertThat(last).as("mean loss of the last 5 steps against the first 5").isLessThan(first);
    assertThat(run.resolve("adapter/adapter_model.safetensors")).exists();
  }

  @Test
  @Order(4)
  void theSavedAdapterReScoresIdenticallyThroughTfewScore() throws IOException {
    Run scored = cli(Map.of(), "--plugin-path", jar.toString(), "score", "--model", dir.resolve("model").toString(),
        "--data", dir.resolve("eval.jsonl").toString(), "--adapter", run.resolve("adapter").toString(),
        "--batch-size", "32");

    assertThat(scored.exit()).as(scored.err()).isZero();
    List<String> predicted = Files.readAllLines(run.resolve("predictions/final-all.jsonl"));
    List<String> rows = scored.out().lines().filter(l -> l.startsWith("{")).toList();
    assertThat(rows).hasSize(predicted.size());
    ObjectMapper json = new ObjectMapper();
    for (int i = 0; i < rows.size(); i++) {
      assertThat(json.readTree(rows.get(i)).get("scores")).isEqualTo(json.readTree(predicted.get(i)).get("scores"));
    }
  }

  @Test
  @Order(5)
  void provenanceListsTheJarWithItsDigestAndWhatItProvided() throws IOException {
    JsonNode jars = json(run.resolve("provenance.json")).get("plugin_jars");

    assertThat(jars).hasSize(1);
    assertThat(jars.get(0).get("path").asText()).isEqualTo(jar.toString());
    assertThat(jars.get(0).get("sha256").asText()).isEqualTo(jarSha).hasSize(64);
    JsonNode provider = jars.get(0).get("providers").get(0);
    assertThat(provider.get("kind").asText()).isEqualTo("peft_method");
    assertThat(provider.get("name").asText()).isEqualTo("ffn_gain");
    assertThat(provider.get("class").asText()).isEqualTo(PROVIDER);
  }

  @Test
  @Order(6)
  void aTwoCellSweepRunsThePluginInItsWorkerProcesses() throws Exception {
    Path grid = dir.resolve("grid.yaml");
    Files.writeString(grid, String.join("\n",
        "base: " + recipe,
        "out: " + dir.resolve("sweep"),
        "set: {train.steps: 4, train.checkpoint_every: 2, train.eval_before: false}",
        "axes:",
        "  seed: [1, 2]",
        ""));

    // The workers are child JVMs on the class path alone: they see the jar only if the sweep passes it on.
    Run sweep = cli(Map.of(), "--plugin-path", jar.toString(), "sweep", grid.toString(), "--workers", "2");

    assertThat(sweep.exit()).as(sweep.out() + sweep.err()).isZero();
    assertThat(sweep.out()).contains("2 of 2 cells finished");
    for (String cell : List.of("seed1", "seed2")) {
      JsonNode provenance = json(dir.resolve("sweep").resolve(cell).resolve("provenance.json"));
      assertThat(provenance.hasNonNull("finished")).as(cell).isTrue();
      assertThat(provenance.get("plugin_jars").get(0).get("path").asText()).isEqualTo(jar.toString());
      assertThat(provenance.get("config").get("peft").get(0).get("method").asText()).isEqualTo("ffn_gain");
    }
  }

  @Test
  @Order(7)
  void aRealTfewPluginPathEnvironmentVariableIsReadByTheCli() throws Exception {
    Path log = dir.resolve("plugins-env.log");
    ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
        TfewCli.class.getName(), "plugins")
        .redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put(PluginContext.ENV, jar.getParent().toString());
    Process plugins = pb.start();
    assertThat(plugins.waitFor(2, TimeUnit.MINUTES)).isTrue();
    String output = Files.readString(log);

    assertThat(plugins.exitValue()).as(output).isZero();
    assertThat(output).contains("  ffn_gain - ", "      from: " + jar);
  }

  @Test
  @Order(8)
  void benchMemoryMeasuresThePluginInItsChildJvm() {
    Run r = cli(Map.of(), "--plugin-path", jar.toString(), "bench", "memory", "--model", "tiny", "--methods",
        "ffn_gain", "--steps", "1", "--batch-size", "1", "--input-len", "8", "--choice-len", "2");

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("ffn_gain:adafactor: load_peak_rss_bytes=");
  }

  @Test
  @Order(9)
  void aReRunFromProvenanceLoadsTheRecordedJarAndWarnsWhenItChanged() throws IOException {
    Path provenance = run.resolve("provenance.json");
    byte[] original = Files.readAllBytes(jar);
    try {
      // No plugin path given: the recorded jar is used, unchanged, and the run repeats.
      Run same = cli(Map.of(), "train", "--from", provenance.toString(), "--out", dir.resolve("again").toString());
      assertThat(same.exit()).as(same.err()).isZero();
      assertThat(same.err()).doesNotContain("warning");
      assertThat(Files.readAllLines(dir.resolve("again/metrics.jsonl")))
          .isEqualTo(Files.readAllLines(run.resolve("metrics.jsonl")));

      buildJar("the same gain, rebuilt with another description");
      Run changed = cli(Map.of(), "train", "--from", provenance.toString(), "--out",
          dir.resolve("changed").toString());
      assertThat(changed.exit()).as(changed.err()).isZero();
      assertThat(changed.err()).contains("tfew: warning:", "plugin jar " + jar + " changed since the run",
          "recorded sha256 " + jarSha);

      Files.delete(jar);
      Run missing = cli(Map.of(), "train", "--from", provenance.toString(), "--out",
          dir.resolve("missing").toString());
      assertThat(missing.exit()).isEqualTo(TfewCli.USAGE);
      assertThat(missing.err()).contains("tfew: error:", jar.toString(), "no longer exists").doesNotContain("\tat ");
    } finally {
      Files.write(jar, original);
    }
  }

  private record Run(int exit, String out, String err) {}

  private static Run cli(Map<String, String> env, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status = TfewCli.run(args, new PrintWriter(out), new PrintWriter(err), env);
    return new Run(status, out.toString(), err.toString());
  }

  private static JsonNode json(Path file) throws IOException {
    return new ObjectMapper().readTree(file.toFile());
  }
}
