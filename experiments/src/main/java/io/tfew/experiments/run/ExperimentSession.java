package io.tfew.experiments.run;

import io.tfew.api.TfewException;
import io.tfew.api.config.ConfigSection;
import io.tfew.api.eval.Aggregation;
import io.tfew.api.eval.Evaluator;
import io.tfew.api.eval.ScoredExample;
import io.tfew.core.adapter.AdapterDirectory;
import io.tfew.core.checkpoint.Checkpoint;
import io.tfew.core.data.AtomicText;
import io.tfew.core.data.JsonlWriter;
import io.tfew.core.data.RankExample;
import io.tfew.core.hub.ModelLocator;
import io.tfew.core.model.T5Config;
import io.tfew.core.optim.ConstantSchedule;
import io.tfew.core.optim.LearningRateSchedule;
import io.tfew.core.optim.LinearWarmupDecay;
import io.tfew.core.plugin.PluginRegistry;
import io.tfew.core.runtime.ActiveMethod;
import io.tfew.core.score.LengthNorm;
import io.tfew.core.score.RankScorer;
import io.tfew.core.tokenize.T5Tokenizer;
import io.tfew.core.train.TrainableModel;
import io.tfew.core.train.Trainer;
import io.tfew.core.train.TrainingGraph;
import io.tfew.core.train.TrainingOptions;
import io.tfew.experiments.config.ExperimentConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongConsumer;

/**
 * One recipe's runs on one {@link TrainableModel}: the engine's model, PEFT methods, losses and optimizer,
 * built once from the recipe, and run many times for other seeds, data, step counts or learning rates
 * (what {@code tfew demo} varies over its grid). This class is the run-directory side: it resolves the run's
 * files ({@link RunPaths}), writes the resolved config, provenance, metrics, predictions, TensorBoard events
 * and adapters; the model is the engine's.
 *
 * <p>Every {@link #run} starts from the state a fresh process would start from ({@link TrainableModel#reset}),
 * so a run here writes the same numbers as {@code tfew train} of the same config. A recipe with no PEFT method
 * only evaluates (zero-shot).
 *
 * <pre>{@code
 * try (ExperimentSession s = ExperimentSession.open(config, locator, registry, RunData::load, progress)) {
 *   for (int seed = 0; seed < 3; seed++) {
 *     ExperimentConfig cell = ExperimentConfig.load(recipe, List.of("seed=" + seed), registry);
 *     s.run(cell, Path.of("runs/seed" + seed), false, "demo", progress);
 *   }
 * }
 * }</pre>
 *
 * <p>Not thread-safe: run sessions side by side, one per thread.
 */
public final class ExperimentSession implements AutoCloseable {
  /** Reads a run's data; {@code tfew demo} shares one cache of rendered data between its sessions. */
  @FunctionalInterface
  public interface DataLoader {
    RunData load(ExperimentConfig config, RunPaths paths, T5Tokenizer tokenizer);
  }

  private final ExperimentConfig built;
  private final PluginRegistry registry;
  private final DataLoader data;
  private final T5Tokenizer tokenizer;
  private final TrainableModel model;

  private ExperimentSession(ExperimentConfig built, PluginRegistry registry, DataLoader data, T5Tokenizer tokenizer,
      TrainableModel model) {
    this.built = built;
    this.registry = registry;
    this.data = data;
    this.tokenizer = tokenizer;
    this.model = model;
  }

  /** Builds the graph {@code config} describes, opens its session and loads the base checkpoint. */
  public static ExperimentSession open(ExperimentConfig config, ModelLocator locator, PluginRegistry registry,
      DataLoader data, ExperimentRunner.Progress progress) {
    Path modelDir = locator.resolve(RunPaths.model(config));
    T5Config modelConfig = modelConfig(config, modelDir);
    List<ActiveMethod> methods = new ArrayList<>();
    for (ExperimentConfig.PeftEntry entry : config.peft()) {
      methods.add(new ActiveMethod(entry.method(), registry.method(entry.method(), entry.config().path()),
          entry.config(), Optional.empty()));
    }
    // Zero-shot runs (no method, or train.steps 0) build no training graph.
    TrainableModel.TrainingFactory training = null;
    if (!methods.isEmpty() && config.train().steps() > 0) {
      List<TrainingGraph.WeightedLoss> losses = new ArrayList<>();
      for (Map.Entry<String, Double> e : config.losses().entrySet()) {
        losses.add(new TrainingGraph.WeightedLoss(e.getKey(),
            registry.loss(e.getKey(), "losses").create(config.lossConfigs().get(e.getKey())), e.getValue()));
      }
      training = (graph, created) -> TrainingStep.build(config, created, graph, losses);
    }
    T5Tokenizer tokenizer = T5Tokenizer.load(modelDir.resolve("tokenizer.json"), config.maxSeqLen());
    try {
      LoadProgress loading = new LoadProgress(progress, modelConfig.parameterCount());
      TrainableModel model = TrainableModel.open(modelDir, modelConfig, methods, training, config.seed(),
          config.runtime(), loading);
      loading.finish();
      return new ExperimentSession(config, registry, data, tokenizer, model);
    } catch (RuntimeException e) {
      tokenizer.close();
      throw e;
    }
  }

  /** Trainable parameters of the methods, summed. */
  public long trainableParameters() {
    return model.trainableParameters();
  }

  /** Values of the frozen tensors the methods own ({@code Parameters.frozen}), summed. */
  public long frozenParameters() {
    return model.frozenParameters();
  }

  /** Parameters of the base model. */
  public long baseParameters() {
    return model.baseParameters();
  }

  /**
   * Runs {@code config}: zero-shot evaluation if asked, training, final evaluation, and writes the run
   * directory {@code out}. {@code config} may differ from the one the session was opened with only in
   * what a run feeds: name, output, seed, data, steps, learning rate and its schedule, checkpointing and
   * evaluation settings.
   */
  public ExperimentRunner.Outcome run(ExperimentConfig config, Path out, boolean resume, String command,
      ExperimentRunner.Progress progress) {
    return run(config, out, resume, command, progress, Map.of());
  }

  /** As {@link #run(ExperimentConfig, Path, boolean, String, ExperimentRunner.Progress)}, with {@code extra} in the provenance. */
  public ExperimentRunner.Outcome run(ExperimentConfig config, Path out, boolean resume, String command,
      ExperimentRunner.Progress progress, Map<String, Object> extra) {
    requireSameGraph(config);
    RunPaths paths = RunPaths.of(config);
    createDirectories(out);
    AtomicText.write(out.resolve("config.resolved.yaml"), config.resolved().toYaml());
    Provenance provenance = new Provenance(PortableConfig.of(config, paths, registry), config.seed(), command);
    Path modelDir = model.modelDir();
    extra.forEach(provenance::put);
    provenance.file("model/config.json", modelDir.resolve("config.json"));
    provenance.file("model/tokenizer.json", modelDir.resolve("tokenizer.json"));
    RunData runData = data.load(config, paths, tokenizer);
    runData.files().forEach(provenance::file);
    provenance.put("skipped_rows", runData.skipped());
    // A plugin from outside the build is named by its jar's digest, so a re-run can tell it was rebuilt.
    provenance.put(PluginJarRecord.KEY, PluginJarRecord.of(registry).stream().map(PluginJarRecord::toMap).toList());
    long trainable = model.trainableParameters();
    provenance.put("trainable_parameters", trainable);
    // Frozen tensors methods own (VeRA's projections) are saved in the adapter but never trained.
    provenance.put("frozen_parameters", model.frozenParameters());
    // Reports give the trainable share of the model (T-Few's Figure 2 x-axis) from this record alone.
    provenance.put("base_parameters", model.baseParameters());
    provenance.put("sites", model.sitesTouched());
    try (Checkpoint checkpoint = Checkpoint.open(modelDir)) {
      checkpoint.files().forEach(f -> provenance.file("model/" + f.getFileName(), f));
    }
    resetParameters(config.seed(), progress);
    provenance.write(out);

    RankScorer scorer = model.scorer();
    LengthNorm norm = LengthNorm.parse(config.eval().lengthNorm(), "eval.length_norm");
    Map<String, Evaluator> evaluators = evaluators(config);
    List<Map<String, Object>> metricRows = new ArrayList<>();
    Map<String, Map<String, Double>> evaluations = new LinkedHashMap<>();
    try (RunEvents events = new RunEvents(out)) {
      // Without training the only evaluation is the final one (reports and sweeps read "final").
      if (model.trains() && config.train().evalBefore() && !runData.eval().isEmpty()) {
        evaluations.put("zero_shot", evaluate("zero_shot", 0, runData, scorer, config, norm, evaluators, out,
            metricRows, progress));
        events.catchUp(metricRows);
      }
      if (model.trains()) {
        Trainer trainer = model.trainer(
            new TrainingOptions(config.train().steps(), config.train().batchSize(), config.train().gradAccum(),
                config.train().lr(), config.train().checkpointEvery(), config.seed()),
            schedule(config), runData.train());
        progress.phase("train", config.train().steps());
        Trainer.Outcome trained = trainer.train(out.resolve("checkpoint"), resume, new Trainer.Listener() {
          @Override
          public void onLossTerms(long step, Map<String, Double> terms) {
            events.lossTerms(step, terms);
          }

          @Override
          public void onStep(long step, double loss, double norm2, double lr) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("phase", "train");
            row.put("step", step);
            row.put("loss", loss);
            row.put("grad_norm", norm2);
            row.put("lr", lr);
            metricRows.add(row);
            events.catchUp(metricRows);
            progress.advance(step, String.format(Locale.ROOT, "loss %.4f", loss));
          }
        });
        progress.done();
        provenance.put("resumed_from_step", trained.startStep());
        if (!runData.eval().isEmpty()) {
          evaluations.put("final", evaluate("final", config.train().steps(), runData, scorer, config, norm,
              evaluators, out, metricRows, progress));
        }
        saveAdapters(out, config);
      } else {
        provenance.put("resumed_from_step", 0);
        if (!runData.eval().isEmpty()) {
          evaluations.put("final", evaluate("final", 0, runData, scorer, config, norm, evaluators, out, metricRows,
              progress));
        }
        // A method evaluated without training (its init, e.g. pre-trained (IA)^3 vectors) is still a run's
        // adapter: scoring or fine-tuning from it later starts from exactly what was evaluated.
        saveAdapters(out, config);
      }
      events.catchUp(metricRows);
    }
    writeJsonl(out.resolve("metrics.jsonl"), metricRows);
    provenance.put("evaluations", evaluations);
    provenance.put("finished", java.time.Instant.now().toString());
    provenance.write(out);
    return new ExperimentRunner.Outcome(out, evaluations, trainable, model.frozenParameters());
  }

  @Override
  public void close() {
    model.close();
    tokenizer.close();
  }

  /** Parameters as a fresh process with this seed starts them; a reload of trained base weights shows progress. */
  private void resetParameters(long seed, ExperimentRunner.Progress progress) {
    LoadProgress loading = new LoadProgress(progress, model.baseParameters());
    model.reset(seed, loading);
    loading.finish();
  }

  /** A "load" phase that opens with the first weights loaded, so the graph build before it is not counted. */
  private static final class LoadProgress implements LongConsumer {
    private final ExperimentRunner.Progress progress;
    private final long total;
    private boolean started;

    LoadProgress(ExperimentRunner.Progress progress, long total) {
      this.progress = progress;
      this.total = total;
    }

    @Override
    public void accept(long loaded) {
      if (!started) {
        progress.phase("load", total);
        started = true;
      }
      progress.advance(loaded, "");
    }

    void finish() {
      if (started) {
        progress.done();
      }
    }
  }

  /** Refuses a config whose graph would differ from the one built, naming the first key that differs. */
  private void requireSameGraph(ExperimentConfig c) {
    Map<String, Object> a = graphKeys(built);
    Map<String, Object> b = graphKeys(c);
    for (Map.Entry<String, Object> e : a.entrySet()) {
      if (!Objects.equals(e.getValue(), b.get(e.getKey()))) {
        throw new TfewException(c.resolved().source() + ": " + e.getKey() + " is " + b.get(e.getKey())
            + " but this session was built for " + e.getValue() + "; open a session for that config");
      }
    }
  }

  private static Map<String, Object> graphKeys(ExperimentConfig c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("model", RunPaths.model(c));
    m.put("max_seq_len", c.maxSeqLen());
    m.put("runtime", c.runtime());
    m.put("peft", c.peft().stream().map(p -> Map.of(p.method(), p.config().asMap())).toList());
    m.put("losses", c.losses());
    Map<String, Object> lossConfigs = new LinkedHashMap<>();
    c.lossConfigs().forEach((k, v) -> lossConfigs.put(k, v.asMap()));
    m.put("losses.config", lossConfigs);
    m.put("trains", !c.peft().isEmpty() && c.train().steps() > 0);
    m.put("train.optimizer", c.train().optimizer());
    m.put("train.scale_parameter", c.train().scaleParameter());
    m.put("train.relative_step", c.train().relativeStep());
    m.put("train.grad_accum", c.train().gradAccum());
    m.put("train.max_grad_norm", c.train().maxGradNorm());
    m.put("train.dropout", c.train().dropout());
    return m;
  }

  private Map<String, Evaluator> evaluators(ExperimentConfig config) {
    Map<String, Evaluator> evaluators = new LinkedHashMap<>();
    for (String name : config.eval().metrics()) {
      evaluators.put(name, registry.evaluator(name, "eval.metrics")
          .create(ConfigSection.defaults("eval.metrics." + name,
              registry.evaluator(name, "eval.metrics").configFields())));
    }
    return evaluators;
  }

  private static Map<String, Double> evaluate(String phase, long step, RunData data, RankScorer scorer,
      ExperimentConfig config, LengthNorm norm, Map<String, Evaluator> evaluators, Path out,
      List<Map<String, Object>> metricRows, ExperimentRunner.Progress progress) {
    Map<String, List<Double>> perMetric = new LinkedHashMap<>();
    createDirectories(out.resolve("predictions"));
    for (Map.Entry<String, RunData.EvalSet> set : data.eval().entrySet()) {
      progress.phase("eval " + phase + " " + set.getKey(), set.getValue().encoded().size());
      Evaluation.Result result = Evaluation.run(scorer, set.getValue().encoded(), config.eval().batchSize(), norm,
          evaluators, n -> progress.advance(n, ""));
      progress.done();
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("phase", phase);
      row.put("step", step);
      row.put("template", set.getKey());
      row.put("examples", set.getValue().encoded().size());
      row.putAll(result.metrics());
      metricRows.add(row);
      result.metrics().forEach((k, v) -> perMetric.computeIfAbsent(k, x -> new ArrayList<>()).add(v));
      writePredictions(out.resolve("predictions").resolve(phase + "-" + safeName(set.getKey()) + ".jsonl"),
          set.getValue().rows(), result.examples());
    }
    // T-Few reports the median over templates with its interquartile range.
    Map<String, Double> summary = new LinkedHashMap<>();
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("phase", phase);
    row.put("step", step);
    row.put("template", "median");
    perMetric.forEach((k, values) -> {
      double[] v = values.stream().mapToDouble(Double::doubleValue).toArray();
      if (java.util.Arrays.stream(v).anyMatch(Double::isNaN)) {
        summary.put(k, Double.NaN);
        row.put(k, Double.NaN);
        return;
      }
      Aggregation.Summary s = Aggregation.summarize(v);
      summary.put(k, s.median());
      row.put(k, s.median());
      row.put(k + "_q1", s.q1());
      row.put(k + "_q3", s.q3());
    });
    metricRows.add(row);
    return summary;
  }

  private static String safeName(String s) {
    return s.replaceAll("[^A-Za-z0-9._-]+", "_");
  }

  private static void writePredictions(Path file, List<RankExample> rows, List<ScoredExample> scored) {
    try (JsonlWriter w = JsonlWriter.open(file)) {
      for (int i = 0; i < rows.size(); i++) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("input", rows.get(i).input());
        row.put("choices", rows.get(i).choices());
        rows.get(i).label().ifPresent(l -> row.put("label", l));
        row.put("scores", scored.get(i).scores());
        row.put("prediction", scored.get(i).prediction());
        w.write(row);
      }
      w.commit();
    }
  }

  private static void writeJsonl(Path file, List<Map<String, Object>> rows) {
    try (JsonlWriter w = JsonlWriter.open(file)) {
      rows.forEach(w::write);
      w.commit();
    }
  }

  /**
   * One method: {@code adapter/} is its adapter. Several: {@code adapter/<method>/} each, and the record of
   * their order (AdapterDirectory#saveComposition), written last so a complete set is what it names.
   */
  private void saveAdapters(Path out, ExperimentConfig config) {
    int methods = config.peft().size();
    for (ExperimentConfig.PeftEntry entry : config.peft()) {
      Path dir = methods == 1 ? out.resolve("adapter") : out.resolve("adapter").resolve(entry.method());
      model.saveAdapter(dir, entry.method(), entry.config());
    }
    if (methods > 1) {
      AdapterDirectory.saveComposition(out.resolve("adapter"),
          config.peft().stream().map(ExperimentConfig.PeftEntry::method).toList());
    }
  }


  /** The checkpoint's architecture, training with its own dropout_rate unless train.dropout sets one. */
  static T5Config modelConfig(ExperimentConfig config, Path modelDir) {
    T5Config modelConfig = T5Config.read(modelDir.resolve("config.json"));
    return config.train().dropout() == ExperimentConfig.CHECKPOINT_DROPOUT
        ? modelConfig : modelConfig.withDropout(config.train().dropout());
  }

  private static LearningRateSchedule schedule(ExperimentConfig config) {
    return switch (config.train().schedule()) {
      case "linear" -> new LinearWarmupDecay(config.train().warmupRatio());
      case "constant" -> new ConstantSchedule(config.train().warmupRatio());
      default -> throw new TfewException("train.schedule: '" + config.train().schedule() + "' is not supported");
    };
  }

  static void createDirectories(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new TfewException(dir + ": cannot create the directory (" + e.getMessage() + ")");
    }
  }
}
