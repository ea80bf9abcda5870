package io.tfew.experiments.config;

import io.tfew.api.config.ConfigException;
import io.tfew.api.config.ConfigField;
import io.tfew.api.config.ConfigSection;
import io.tfew.core.plugin.PluginRegistry;
import io.tfew.core.runtime.SessionOptions;
import io.tfew.core.score.ChoiceBatch;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A validated experiment config for {@code tfew train CONFIG.yaml [--set a.b=value ...]}: core's own keys
 * typed, the PEFT methods and losses resolved against the installed plugins.
 *
 * <p>Defaults are T-Few's (Liu et al. 2022, {@code configs/t03b.json} and {@code ia3.json}): 1000 steps of
 * batch 8 with Adafactor at lr 3e-3, linear decay after 6% warm-up, gradient norm clipped at 1, and the
 * loss LM + unlikelihood + length-normalised, each with weight 1.
 *
 * <pre>{@code
 * # configs/rte_ia3.yaml
 * extends: base.yaml
 * model: bigscience/T0_3B
 * data:
 *   train: {path: data/rte/train_32.jsonl}
 *   eval: {path: data/rte/validation.jsonl}
 * peft:
 *   - method: ia3
 * train: {steps: 1000, lr: 3.0e-3}
 * }</pre>
 *
 * <pre>{@code
 * ExperimentConfig c = ExperimentConfig.load(Path.of("configs/rte_ia3.yaml"), List.of("train.steps=10"),
 *     PluginRegistry.discover());
 * Files.writeString(Path.of(c.out(), "config.resolved.yaml"), c.resolved().toYaml());
 * }</pre>
 *
 * @param name the run's name ({@code name}; default: the config file's name without extension)
 * @param model the base checkpoint: a directory or a Hugging Face repo id
 * @param seed the run seed
 * @param maxSeqLen the token limit of inputs and of answer choices
 * @param out the output directory ({@code out}; default {@code runs/<name>})
 * @param data the {@code data} section
 * @param train the {@code train} section
 * @param eval the {@code eval} section
 * @param runtime the {@code runtime} section: how the TensorFlow session runs (threads, graph optimizer)
 * @param peft the PEFT methods, in the order their rewrites compose
 * @param losses the loss weights by loss name, in YAML order
 * @param lossConfigs each loss's own validated section, keyed like {@code losses}
 * @param resolved the config these values came from, for provenance and located errors
 */
public record ExperimentConfig(String name, String model, int seed, int maxSeqLen, String out, Data data,
    Train train, Eval eval, io.tfew.core.runtime.SessionOptions runtime, List<PeftEntry> peft,
    Map<String, Double> losses,
    Map<String, ConfigSection> lossConfigs, ResolvedConfig resolved) {

  /** Training data formats. */
  /** {@code rank_jsonl} (already rendered rows) and every raw dataset format rendered with templates. */
  public static final List<String> FORMATS = java.util.stream.Stream.concat(java.util.stream.Stream.of("rank_jsonl"),
      java.util.Arrays.stream(io.tfew.core.data.DatasetFormat.values()).map(io.tfew.core.data.DatasetFormat::configName))
      .toList();
  public static final List<String> OPTIMIZERS = List.of("adafactor", "adamw", "sgd");
  public static final List<String> SCHEDULES = List.of("linear", "constant");
  public static final List<String> LENGTH_NORMS = List.of("mean", "sum");
  /** {@code train.dropout} meaning "the checkpoint's {@code dropout_rate}", T-Few's behaviour. */
  public static final double CHECKPOINT_DROPOUT = -1.0;

  public static final List<ConfigField> TOP = List.of(
      ConfigField.ofString("name", "", "run name; empty: the config file's name without extension"),
      ConfigField.ofString("model", null, "base checkpoint: a directory with config.json or a Hugging Face repo id "
          + "such as bigscience/T0_3B"),
      ConfigField.ofInt("seed", 42, "seed of data order, dropout and adapter initialisation"),
      ConfigField.ofInt("max_seq_len", 256, "inputs and answer choices are truncated to this many tokens, EOS kept"),
      ConfigField.ofString("out", "", "output directory; empty: runs/<name>"));

  public static final List<ConfigField> DATA_TRAIN = List.of(
      ConfigField.ofString("format", "rank_jsonl", "rank_jsonl: rows {input, choices, label} as tfew score "
          + "reads them; superglue-jsonl, fewshot-jsonl, anli-csv, winogrande, raft-csv: raw task rows rendered "
          + "with data.templates"),
      ConfigField.ofString("path", null, "the few-shot training examples"));

  public static final List<ConfigField> DATA_EVAL = List.of(
      ConfigField.ofString("format", "rank_jsonl", "as data.train.format"),
      ConfigField.ofString("path", "", "the evaluation examples; empty: no evaluation"));

  public static final List<ConfigField> TEMPLATES = List.of(
      ConfigField.ofString("file", "", "prompt templates for jsonl data; empty: none"),
      ConfigField.ofBoolean("original_task_only", true, "only templates marked original_task, cut as T-Few's "
          + "reader cuts them (COPA: the first 8 by name); false: every template"),
      ConfigField.ofStrings("names", List.of(), "template names to use; empty: all that apply"));

  public static final List<ConfigField> TRAIN = List.of(
      ConfigField.ofInt("steps", 1000, "optimizer steps; 0: no training, only the evaluation of the model as loaded "
          + "(zero-shot, or the PEFT method at its initialisation)"),
      ConfigField.ofInt("batch_size", 8, "examples per micro-batch"),
      ConfigField.ofInt("grad_accum", 1, "micro-batches per optimizer step"),
      ConfigField.ofDouble("lr", 3e-3, "peak learning rate"),
      ConfigField.ofString("optimizer", "adafactor", "adafactor, adamw or sgd (a method such as lomo that "
          + "updates inside the backward pass needs sgd, which it implies when this is unset)"),
      ConfigField.ofBoolean("scale_parameter", true, "adafactor only: scale the learning rate by the parameter's RMS "
          + "(T-Few: true)"),
      ConfigField.ofBoolean("relative_step", false, "adafactor only: ignore train.lr for Adafactor's time-dependent "
          + "step min(1e-2, 1/sqrt(t)) (T-Few: false)"),
      ConfigField.ofString("schedule", "linear", "linear: warm-up, then linear decay to 0; constant: warm-up, then flat"),
      ConfigField.ofDouble("warmup_ratio", 0.06, "fraction of steps spent warming up: steps x ratio, unrounded as in "
          + "T-Few (30 x 0.06 = 1.8 steps)"),
      ConfigField.ofDouble("max_grad_norm", 1.0, "clip the global gradient norm to this; 0: no clipping"),
      ConfigField.ofInt("checkpoint_every", 100, "save the adapter every this many steps; 0: only at the end"),
      ConfigField.ofDouble("dropout", CHECKPOINT_DROPOUT, "the model's dropout rate during training; -1: the "
          + "checkpoint's dropout_rate (config.json; HF's 0.1 when absent), as T-Few trains"),
      ConfigField.ofBoolean("eval_before", true, "evaluate once before the first step"));

  public static final List<ConfigField> EVAL = List.of(
      ConfigField.ofInt("batch_size", 16, "examples per evaluation batch"),
      ConfigField.ofString("length_norm", "mean", "choice score: mean or sum of token log-probs"));

  public static final List<ConfigField> RUNTIME = List.of(
      ConfigField.ofInt("threads", 0, "intra-op threads of the TensorFlow session; 0: every core. One per run is "
          + "fastest for tiny models run side by side"),
      ConfigField.ofBoolean("optimize_graph", true, "run TensorFlow's graph optimizer before the first step; "
          + "false starts small models much faster. Both keys change float rounding: a run repeats bit for bit "
          + "only with the same values"));

  /** Loss weights when {@code losses} is absent: T-Few's L_LM + L_UL + L_LN. */
  public static final Map<String, Double> DEFAULT_LOSSES = orderedMap("lm", 1.0, "unlikelihood", 1.0, "length_norm", 1.0);
  public static final List<String> DEFAULT_METRICS = List.of("accuracy");

  /** One PEFT method of {@code peft}: its name and validated section. */
  public record PeftEntry(String method, ConfigSection config) {
    public PeftEntry {
      Objects.requireNonNull(method, "method");
      Objects.requireNonNull(config, "config");
    }
  }

  /** The {@code data} section. */
  public record Data(TrainData train, EvalData eval, Templates templates) {}

  /** {@code data.train}. */
  public record TrainData(String format, String path) {}

  /** {@code data.eval}; {@link #path} is empty when there is no evaluation set. */
  public record EvalData(String format, String path) {
    public boolean present() {
      return !path.isEmpty();
    }
  }

  /** {@code data.templates}. */
  public record Templates(String file, boolean originalTaskOnly, List<String> names) {}

  /** {@code train}. */
  public record Train(int steps, int batchSize, int gradAccum, double lr, String optimizer, boolean scaleParameter,
      boolean relativeStep, String schedule, double warmupRatio, double maxGradNorm, int checkpointEvery, double dropout, boolean evalBefore) {}

  /** {@code eval}. */
  public record Eval(int batchSize, String lengthNorm, List<String> metrics) {}

  public ExperimentConfig {
    peft = List.copyOf(peft);
    losses = Collections.unmodifiableMap(new LinkedHashMap<>(losses));
    lossConfigs = Collections.unmodifiableMap(new LinkedHashMap<>(lossConfigs));
  }

  /** The schema of experiment configs with the plugins of {@code registry}. */
  public static ConfigSchema schema(PluginRegistry registry) {
    return ConfigSchema.builder()
        .section("", TOP)
        .section("data.train", DATA_TRAIN)
        .choices("data.train.format", FORMATS)
        .section("data.eval", DATA_EVAL)
        .choices("data.eval.format", FORMATS)
        .section("data.templates", TEMPLATES)
        .section("train", TRAIN)
        .choices("train.optimizer", OPTIMIZERS)
        .choices("train.schedule", SCHEDULES)
        .section("eval", EVAL)
        .choices("eval.length_norm", LENGTH_NORMS)
        .section("runtime", RUNTIME)
        .nameList("eval.metrics", registry.evaluators(), "evaluator", DEFAULT_METRICS)
        .pluginList("peft", "method", registry.methods(), "PEFT method")
        .weightMap("losses", registry.losses(), "loss", DEFAULT_LOSSES)
        .build();
  }

  /** Loads {@code file} with its {@code extends:} chain and the {@code --set} overrides, and validates it. */
  public static ExperimentConfig load(Path file, List<String> overrides, PluginRegistry registry) {
    return from(new ConfigLoader().load(file, overrides), registry);
  }

  /**
   * Validates {@code config}.
   *
   * @throws ConfigException listing every problem, one per line, each starting with its file and line
   */
  public static ExperimentConfig from(ResolvedConfig config, PluginRegistry registry) {
    ValidatedConfig v = schema(registry).validate(config);
    ConfigSection top = v.section("");
    ConfigSection dt = v.section("data.train");
    ConfigSection de = v.section("data.eval");
    ConfigSection tp = v.section("data.templates");
    ConfigSection tr = v.section("train");
    ConfigSection ev = v.section("eval");
    ConfigSection rt = v.section("runtime");

    List<String> problems = new ArrayList<>();
    atLeast(v, problems, "max_seq_len", top.getInt("max_seq_len"), 1);
    atLeast(v, problems, "train.steps", tr.getInt("steps"), 0);
    atLeast(v, problems, "train.batch_size", tr.getInt("batch_size"), 1);
    atLeast(v, problems, "train.grad_accum", tr.getInt("grad_accum"), 1);
    atLeast(v, problems, "train.checkpoint_every", tr.getInt("checkpoint_every"), 0);
    atLeast(v, problems, "eval.batch_size", ev.getInt("batch_size"), 1);
    atLeast(v, problems, "runtime.threads", rt.getInt("threads"), 0);
    atMost(v, problems, "train.batch_size", tr.getInt("batch_size"), ChoiceBatch.MAX_EXAMPLES, "");
    atMost(v, problems, "eval.batch_size", ev.getInt("batch_size"), ChoiceBatch.MAX_EXAMPLES, "");
    atMost(v, problems, "runtime.threads", rt.getInt("threads"), SessionOptions.maxThreads(),
        " (4 x this machine's " + Runtime.getRuntime().availableProcessors() + " cores; 0: every core)");
    check(v, problems, "train.lr", tr.getDouble("lr") > 0 && Double.isFinite(tr.getDouble("lr")), "must be > 0");
    check(v, problems, "train.warmup_ratio", inRange(tr.getDouble("warmup_ratio"), 0, 1), "must be in [0, 1]");
    check(v, problems, "train.max_grad_norm", tr.getDouble("max_grad_norm") >= 0, "must be >= 0 (0: no clipping)");
    check(v, problems, "train.dropout", tr.getDouble("dropout") == CHECKPOINT_DROPOUT
        || tr.getDouble("dropout") >= 0 && tr.getDouble("dropout") < 1, "must be in [0, 1), or -1 for the checkpoint's");
    if (!problems.isEmpty()) {
      throw new ConfigException(String.join("\n", problems));
    }

    String name = top.getString("name");
    if (name.isEmpty()) {
      String file = Path.of(config.source()).getFileName().toString();
      name = file.replaceFirst("\\.(ya?ml)$", "");
    }
    String out = top.getString("out").isEmpty() ? "runs/" + name : top.getString("out");
    List<PeftEntry> peft = v.plugins("peft").stream().map(e -> new PeftEntry(e.name(), e.config())).toList();
    return new ExperimentConfig(name, top.getString("model"), top.getInt("seed"), top.getInt("max_seq_len"), out,
        new Data(new TrainData(dt.getString("format"), dt.getString("path")),
            new EvalData(de.getString("format"), de.getString("path")),
            new Templates(tp.getString("file"), tp.getBoolean("original_task_only"), tp.getStrings("names"))),
        new Train(tr.getInt("steps"), tr.getInt("batch_size"), tr.getInt("grad_accum"), tr.getDouble("lr"),
            tr.getString("optimizer"), tr.getBoolean("scale_parameter"), tr.getBoolean("relative_step"),
            tr.getString("schedule"), tr.getDouble("warmup_ratio"),
            tr.getDouble("max_grad_norm"), tr.getInt("checkpoint_every"), tr.getDouble("dropout"),
            tr.getBoolean("eval_before")),
        new Eval(ev.getInt("batch_size"), ev.getString("length_norm"), v.names("eval.metrics")),
        new SessionOptions(rt.getInt("threads"), rt.getBoolean("optimize_graph")),
        peft, v.weights("losses"), v.weightConfigs("losses"), config);
  }

  private static boolean inRange(double x, double lo, double hi) {
    return x >= lo && x <= hi;
  }

  private static void atLeast(ValidatedConfig v, List<String> problems, String key, int value, int min) {
    check(v, problems, key, value >= min, "must be >= " + min);
  }

  private static void atMost(ValidatedConfig v, List<String> problems, String key, int value, int max,
      String why) {
    check(v, problems, key, value <= max, "must be <= " + max + why);
  }

  private static void check(ValidatedConfig v, List<String> problems, String key, boolean ok, String rule) {
    if (!ok) {
      problems.add(v.error(key, rule + " but is " + v.resolved().get(key)).getMessage());
    }
  }

  private static Map<String, Double> orderedMap(Object... kv) {
    Map<String, Double> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], (Double) kv[i + 1]);
    }
    return Collections.unmodifiableMap(m);
  }
}
