package io.tfew.experiments.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tfew.api.config.ConfigException;
import io.tfew.core.plugin.PluginRegistry;
import io.tfew.core.testing.TestPlugins;
import io.tfew.experiments.config.ExperimentConfig.PeftEntry;
import java.io.IOException;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExperimentConfigTest {
  @TempDir
  Path tmp;

  private URLClassLoader loader;
  private PluginRegistry registry;

  @BeforeEach
  void installTestPlugins() throws IOException {
    loader = TestPlugins.loader(Files.createDirectories(tmp.resolve("plugins")));
    registry = TestPlugins.registry(loader);
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

  private ExperimentConfig load(Path file, String... sets) {
    return ExperimentConfig.load(file, Arrays.asList(sets), registry);
  }

  @Test
  void aMinimalConfigGetsTheTFewDefaults() throws IOException {
    Path exp = write("rte_ia3.yaml",
        "model: bigscience/T0_3B",
        "data:",
        "  train: {path: data/rte/train.jsonl}",
        "peft:",
        "  - method: ia3");

    ExperimentConfig c = load(exp);

    assertThat(c.name()).isEqualTo("rte_ia3");
    assertThat(c.model()).isEqualTo("bigscience/T0_3B");
    assertThat(c.seed()).isEqualTo(42);
    assertThat(c.maxSeqLen()).isEqualTo(256);
    assertThat(c.out()).isEqualTo("runs/rte_ia3");
    assertThat(c.data().train()).isEqualTo(new ExperimentConfig.TrainData("rank_jsonl", "data/rte/train.jsonl"));
    assertThat(c.data().eval().present()).isFalse();
    assertThat(c.data().templates()).isEqualTo(new ExperimentConfig.Templates("", true, List.of()));
    assertThat(c.train()).isEqualTo(new ExperimentConfig.Train(1000, 8, 1, 3e-3, "adafactor", true, false,
        "linear", 0.06, 1.0, 100, ExperimentConfig.CHECKPOINT_DROPOUT, true));
    assertThat(c.eval()).isEqualTo(new ExperimentConfig.Eval(16, "mean", List.of("accuracy")));
    assertThat(c.peft()).hasSize(1);
    assertThat(c.peft().get(0).method()).isEqualTo("ia3");
    assertThat(c.peft().get(0).config().asMap()).isEqualTo(Map.of("init", 1.0, "targets", List.of("k", "v")));
    assertThat(c.losses()).isEqualTo(Map.of("lm", 1.0, "unlikelihood", 1.0, "length_norm", 1.0));
    assertThat(c.losses().keySet().toString()).isEqualTo("[lm, unlikelihood, length_norm]");
    assertThat(c.lossConfigs().get("length_norm").getDouble("temperature")).isEqualTo(1.0);
  }

  @Test
  void everyKeyIsReadTypedThroughExtendsAndSet() throws IOException {
    write("base.yaml",
        "model: t0-tiny",
        "seed: 1",
        "train: {steps: 500, lr: 1.0e-2, optimizer: adamw}",
        "losses: {lm: 1.0, unlikelihood: 0.5, length_norm: {weight: 2, temperature: 0.5}}");
    Path exp = write("exp.yaml",
        "extends: base.yaml",
        "name: my_run",
        "max_seq_len: 128",
        "out: /tmp/out",
        "data:",
        "  train: {format: fewshot-jsonl, path: train.jsonl}",
        "  eval: {format: rank_jsonl, path: val.jsonl}",
        "  templates: {file: rte.yaml, original_task_only: false, names: [a, b]}",
        "train:",
        "  batch_size: 4",
        "  grad_accum: 2",
        "  schedule: constant",
        "  scale_parameter: false",
        "  relative_step: true",
        "  warmup_ratio: 0",
        "  max_grad_norm: 0",
        "  checkpoint_every: 0",
        "  dropout: 0",
        "  eval_before: false",
        "eval: {batch_size: 32, length_norm: sum, metrics: [f1, accuracy]}",
        "peft:",
        "  - {method: LoRA, r: 4}",
        "  - method: ia3",
        "    targets: q");

    ExperimentConfig c = load(exp, "train.steps=20", "losses.unlikelihood=", "peft[0].alpha=16");

    assertThat(c.name()).isEqualTo("my_run");
    assertThat(c.model()).isEqualTo("t0-tiny");
    assertThat(c.seed()).isEqualTo(1);
    assertThat(c.maxSeqLen()).isEqualTo(128);
    assertThat(c.out()).isEqualTo("/tmp/out");
    assertThat(c.data().train()).isEqualTo(new ExperimentConfig.TrainData("fewshot-jsonl", "train.jsonl"));
    assertThat(c.data().eval()).isEqualTo(new ExperimentConfig.EvalData("rank_jsonl", "val.jsonl"));
    assertThat(c.data().templates()).isEqualTo(new ExperimentConfig.Templates("rte.yaml", false, List.of("a", "b")));
    assertThat(c.train()).isEqualTo(new ExperimentConfig.Train(20, 4, 2, 1e-2, "adamw", false, true, "constant", 0.0, 0.0,
        0, 0.0, false));
    assertThat(c.eval()).isEqualTo(new ExperimentConfig.Eval(32, "sum", List.of("f1", "accuracy")));
    assertThat(c.peft()).extracting(PeftEntry::method).containsExactly("lora", "ia3");
    assertThat(c.peft().get(0).config().getInt("r")).isEqualTo(4);
    assertThat(c.peft().get(0).config().getDouble("alpha")).isEqualTo(16.0);
    assertThat(c.peft().get(1).config().getStrings("targets")).containsExactly("q");
    // A null weight switches off a loss a parent file turned on.
    assertThat(c.losses()).isEqualTo(Map.of("lm", 1.0, "length_norm", 2.0));
    assertThat(c.lossConfigs().get("length_norm").getDouble("temperature")).isEqualTo(0.5);
    assertThat(c.resolved().origin("train.steps")).isEqualTo(Origin.SET);
    assertThat(c.resolved().origin("train.lr")).isEqualTo(Origin.at(tmp.resolve("base.yaml").toString(), 3));
  }

  @Test
  void anUnknownKeyNamesFileLineAndTheAllowedKeys() throws IOException {
    Path exp = write("exp.yaml",
        "model: m",                      // 1
        "data: {train: {path: t}}",      // 2
        "train:",                        // 3
        "  lr: 0.01",                    // 4
        "  stpes: 10");                  // 5

    assertThatThrownBy(() -> load(exp))
        .isInstanceOf(ConfigException.class)
        .hasMessage(exp + ":5: train.stpes: unknown key; allowed keys are batch_size, checkpoint_every, dropout, "
            + "eval_before, grad_accum, lr, max_grad_norm, optimizer, relative_step, scale_parameter, schedule, steps, "
            + "warmup_ratio");
  }

  @Test
  void dataTrainTaskIsNoLongerAKeyBecauseNothingReadIt() throws IOException {
    Path exp = write("exp.yaml", "model: m", "data: {train: {path: t, task: super_glue/rte}}");

    assertThatThrownBy(() -> load(exp))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(exp + ":2: data.train.task: unknown key; allowed keys are format, path");
  }

  @Test
  void dropoutIsTheCheckpointsUnlessSetAndOtherwiseARate() throws IOException {
    Path exp = write("exp.yaml", "model: m", "data: {train: {path: t}}", "train: {dropout: 1.0}");

    assertThat(load(write("ok.yaml", "model: m", "data: {train: {path: t}}")).train().dropout())
        .isEqualTo(ExperimentConfig.CHECKPOINT_DROPOUT);
    assertThat(load(exp, "train.dropout=0.05").train().dropout()).isEqualTo(0.05);
    assertThatThrownBy(() -> load(exp))
        .hasMessage(exp + ":3: train.dropout: must be in [0, 1), or -1 for the checkpoint's but is 1.0");
  }

  @Test
  void anUnknownKeyInAParentFileNamesThatFileAndLine() throws IOException {
    Path base = write("base.yaml", "model: m", "", "modle: m2");
    Path exp = write("exp.yaml", "extends: base.yaml", "data: {train: {path: t}}");

    assertThatThrownBy(() -> load(exp))
        .hasMessage(base + ":3: modle: unknown key; allowed keys are data, eval, losses, max_seq_len, model, name, "
            + "out, peft, runtime, seed, train");
  }

  @Test
  void runtimeDefaultsToTensorFlowsAndReadsThreadsAndGraphOptimisation() throws IOException {
    Path exp = write("exp.yaml", "model: m", "data: {train: {path: t}}");
    assertThat(load(exp).runtime()).isEqualTo(io.tfew.core.runtime.SessionOptions.DEFAULT);

    Path one = write("one.yaml", "model: m", "data: {train: {path: t}}",
        "runtime: {threads: 1, optimize_graph: false}");
    assertThat(load(one).runtime()).isEqualTo(new io.tfew.core.runtime.SessionOptions(1, false));
  }

  @Test
  void resourceOptionsBeyondTheMachineOrTheBatchBoundAreErrorsNamingTheKey() throws IOException {
    int maxThreads = io.tfew.core.runtime.SessionOptions.maxThreads();
    Path exp = write("exp.yaml", "model: m", "data: {train: {path: t}}",
        "train: {batch_size: 2147483647}",
        "eval: {batch_size: 100000}",
        "runtime: {threads: 100000}");
    assertThatThrownBy(() -> load(exp))
        .hasMessageContaining(exp + ":3: train.batch_size: must be <= 4096 but is 2147483647")
        .hasMessageContaining(exp + ":4: eval.batch_size: must be <= 4096 but is 100000")
        .hasMessageContaining(exp + ":5: runtime.threads: must be <= " + maxThreads + " (4 x this machine's");
    assertThatThrownBy(() -> load(exp, "runtime.threads=2147483647", "train.batch_size=8", "eval.batch_size=8"))
        .hasMessageContaining("--set runtime.threads: must be <= " + maxThreads);
    // The session refuses it too, for callers that build options without a config file.
    assertThatThrownBy(() -> new io.tfew.core.runtime.SessionOptions(Integer.MAX_VALUE, true))
        .hasMessageContaining("runtime.threads = 2147483647");
  }

  @Test
  void integersThatOverflowAndNonFiniteNumbersAreErrorsNotNarrowed() throws IOException {
    Path exp = write("exp.yaml", "model: m", "data: {train: {path: t}}",
        "train: {steps: 4294967300, lr: .nan, warmup_ratio: 1e999}");
    assertThatThrownBy(() -> load(exp))
        .hasMessageContaining(exp + ":3: train.steps: 4294967300 is out of range")
        .hasMessageContaining("train.lr: NaN is not a finite number")
        .hasMessageContaining("train.warmup_ratio:");
  }

  @Test
  void anUnknownKeyFromSetSaysSo() throws IOException {
    Path exp = write("exp.yaml", "model: m", "data: {train: {path: t}}");

    assertThatThrownBy(() -> load(exp, "data.valid.path=v.jsonl"))
        .hasMessage("--set data.valid: unknown key; allowed keys are eval, templates, train");
  }

  @Test
  void aWrongTypeNamesTheExpectedType() throws IOException {
    Path exp = write("exp.yaml",
        "model: 123",
        "data: {train: {path: t}}",
        "train:",
        "  steps: 4.5",
        "  eval_before: maybe");

    assertThatThrownBy(() -> load(exp))
        .hasMessage(String.join("\n",
            exp + ":1: model: expected a string but found '123'; put it in quotes if you mean the text",
            exp + ":4: train.steps: expected an integer but found '4.5'",
            exp + ":5: train.eval_before: expected true or false but found 'maybe'"));
  }

  @Test
  void aSectionThatIsNotAMapIsOneErrorNotACascade() throws IOException {
    Path exp = write("exp.yaml", "model: m", "data: train.jsonl");

    assertThatThrownBy(() -> load(exp))
        .hasMessage(exp + ":2: data: expected a map with the keys eval, templates, train but found 'train.jsonl'");
  }

  @Test
  void anEnumeratedValueOutsideItsChoicesListsThem() throws IOException {
    Path exp = write("exp.yaml", "model: m", "data: {train: {path: t, format: csv}}", "train:", "  optimizer: lomo");

    assertThatThrownBy(() -> load(exp))
        .hasMessage(exp + ":2: data.train.format: 'csv' is not allowed; allowed values are rank_jsonl, superglue-jsonl, fewshot-jsonl, anli-csv, winogrande, raft-csv\n"
            + exp + ":4: train.optimizer: 'lomo' is not allowed; allowed values are adafactor, adamw, sgd");
    assertThatThrownBy(() -> load(exp, "data.train.format=fewshot-jsonl", "train.optimizer=adamw", "eval.length_norm=avg"))
        .hasMessage("--set eval.length_norm: 'avg' is not allowed; allowed values are mean, sum");
  }

  @Test
  void missingRequiredKeysNameTheFile() throws IOException {
    Path exp = write("exp.yaml", "seed: 3");

    assertThatThrownBy(() -> load(exp))
        .hasMessage(exp + ": model: required key is missing; add it: base checkpoint: a directory with config.json "
            + "or a Hugging Face repo id such as bigscience/T0_3B (a string)\n"
            + exp + ": data.train.path: required key is missing; add it: the few-shot training examples (a string)");
  }

  @Test
  void anUnknownPeftMethodListsTheInstalledOnes() throws IOException {
    Path exp = write("exp.yaml", "model: m", "data: {train: {path: t}}", "peft:", "  - method: ia3", "  - method: prefix");

    assertThatThrownBy(() -> load(exp))
        .hasMessage(exp + ":5: peft[1].method: no PEFT method named 'prefix' is installed; installed: ia3, lora");
  }

  @Test
  void aPeftEntryIsValidatedAgainstItsMethodsKeys() throws IOException {
    Path exp = write("exp.yaml",
        "model: m",
        "data: {train: {path: t}}",
        "peft:",
        "  - method: lora",            // 4
        "    rank: 4",                 // 5
        "    alpha: high",             // 6
        "  - targets: [q]");           // 7

    assertThatThrownBy(() -> load(exp))
        .hasMessage(String.join("\n",
            exp + ":5: peft[0].rank: unknown key; allowed keys are alpha, method, r",
            exp + ":4: peft[0].r: required key is missing; add it: rank r (an integer)",
            exp + ":6: peft[0].alpha: expected a number but found 'high'",
            exp + ":7: peft[1].method: required key is missing; set it to one of the installed PEFT methods: ia3, lora"));
  }

  @Test
  void aSinglePeftMapIsAListOfOneAndItsSectionIsLocated() throws IOException {
    Path exp = write("exp.yaml", "model: m", "data: {train: {path: t}}", "peft:", "  method: lora", "  r: 0");

    ExperimentConfig c = load(exp);

    assertThat(c.peft()).hasSize(1);
    PeftEntry e = c.peft().get(0);
    assertThat(e.config().path()).isEqualTo(exp + ":3: peft");
    // A plugin's own range check reads like core's messages.
    assertThat(e.config().invalid("r", "must be >= 1")).hasMessage(exp + ":3: peft.r = 0: must be >= 1");
  }

  @Test
  void anUnknownLossOrMetricListsTheInstalledOnes() throws IOException {
    Path exp = write("exp.yaml",
        "model: m",
        "data: {train: {path: t}}",
        "losses:",
        "  lm: 1",
        "  mc: 1",
        "  unlikelihood: -1",
        "  length_norm: {weight: 1, temp: 2}",
        "eval:",
        "  metrics: [accuracy, bleu, accuracy]");

    assertThatThrownBy(() -> load(exp))
        .hasMessage(String.join("\n",
            exp + ":5: losses.mc: no loss named 'mc' is installed; installed: length_norm, lm, unlikelihood",
            exp + ":6: losses.unlikelihood: the weight must be a number >= 0 but found '-1'; write null to switch the "
                + "loss off",
            exp + ":7: losses.length_norm.temp: unknown key; allowed keys are temperature, weight",
            exp + ":9: eval.metrics[1]: no evaluator named 'bleu' is installed; installed: accuracy, f1",
            exp + ":9: eval.metrics[2]: evaluator 'accuracy' is listed twice"));
  }

  @Test
  void defaultPluginsThatAreNotInstalledAreAnError() throws IOException {
    Path exp = write("exp.yaml", "model: m", "data: {train: {path: t}}");
    try (URLClassLoader empty = TestPlugins.loader(Files.createDirectories(tmp.resolve("none")), false)) {
      PluginRegistry none = PluginRegistry.discover(empty);

      assertThatThrownBy(() -> ExperimentConfig.load(exp, List.of(), none))
          .hasMessageContaining(exp + ": eval.metrics: the default evaluator 'accuracy' is not installed "
              + "(installed: (none; add the plugin's jar to the class path)); set eval.metrics explicitly")
          .hasMessageContaining(exp + ": losses: the default loss 'lm' is not installed");
    }
  }

  @Test
  void rangeChecksAreLocated() throws IOException {
    Path exp = write("exp.yaml", "model: m", "data: {train: {path: t}}", "train:", "  steps: -1", "  warmup_ratio: 1.5");

    assertThatThrownBy(() -> load(exp, "train.lr=-1"))
        .hasMessage(exp + ":4: train.steps: must be >= 0 but is -1\n--set train.lr: must be > 0 but is -1\n"
            + exp + ":5: train.warmup_ratio: must be in [0, 1] but is 1.5");
  }

  @Test
  void theResolvedYamlLoadsToTheSameExperiment() throws IOException {
    write("base.yaml", "model: m", "train: {lr: 0.01}", "peft: [{method: ia3, init: 0.5}]");
    Path exp = write("exp.yaml", "extends: base.yaml", "data: {train: {path: t}}", "losses: {lm: 1}");

    ExperimentConfig c = load(exp, "train.steps=7");
    Path resolved = write("exp.resolved.yaml", c.resolved().toYaml());
    ExperimentConfig again = load(resolved);

    assertThat(again.resolved().tree()).isEqualTo(c.resolved().tree());
    assertThat(again.train()).isEqualTo(c.train());
    assertThat(again.losses()).isEqualTo(c.losses());
    assertThat(again.peft().get(0).config().asMap()).isEqualTo(c.peft().get(0).config().asMap());
  }
}
