package io.tfew.core.run;

import com.google.inject.Inject;
import io.tfew.api.TfewException;
import io.tfew.api.eval.Aggregation;
import io.tfew.api.eval.Evaluator;
import io.tfew.api.eval.ScoredExample;
import io.tfew.api.peft.PeftMethod;
import io.tfew.core.adapter.AdapterDirectory;
import io.tfew.core.checkpoint.Checkpoint;
import io.tfew.core.config.ExperimentConfig;
import io.tfew.core.data.JsonlWriter;
import io.tfew.core.data.RankExample;
import io.tfew.core.hub.ModelLocator;
import io.tfew.core.model.SiteRewrites;
import io.tfew.core.model.T5Config;
import io.tfew.core.optim.ConstantSchedule;
import io.tfew.core.optim.LearningRateSchedule;
import io.tfew.core.optim.LinearWarmupDecay;
import io.tfew.core.plugin.PluginRegistry;
import io.tfew.core.runtime.ModelGraph;
import io.tfew.core.score.LengthNorm;
import io.tfew.core.score.RankScorer;
import io.tfew.core.score.RankScoringGraph;
import io.tfew.core.tokenize.T5Tokenizer;
import io.tfew.core.train.Trainer;
import io.tfew.core.train.TrainingGraph;
import io.tfew.core.train.TrainingOptions;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Session;

/**
 * Runs one experiment from its validated config: zero-shot evaluation, training, final evaluation.
 *
 * <p>Writes into the run directory: {@code config.resolved.yaml}, {@code provenance.json},
 * {@code metrics.jsonl} (training curve and evaluation metrics), {@code predictions/}, {@code adapter/}
 * and {@code checkpoint/} (training state for {@code --resume}).
 */
public final class ExperimentRunner {
  /** Receives progress: the command turns it into progress bars. */
  public interface Progress {
    void phase(String name, long total);

    void advance(long done, String detail);

    void done();
  }

  /** What a run produced. */
  public record Outcome(Path dir, Map<String, Map<String, Double>> evaluations, long trainableParameters) {}

  private final ModelLocator locator;
  private final PluginRegistry registry;

  @Inject
  public ExperimentRunner(ModelLocator locator, PluginRegistry registry) {
    this.locator = locator;
    this.registry = registry;
  }

  public Outcome run(ExperimentConfig config, Path out, boolean resume, String command, Progress progress) {
    return run(config, out, resume, command, progress, Map.of());
  }

  /**
   * As {@link #run(ExperimentConfig, Path, boolean, String, Progress)}, recording {@code extra} in
   * {@code provenance.json} too (a sweep records which cell of which grid the run is).
   */
  public Outcome run(ExperimentConfig config, Path out, boolean resume, String command, Progress progress,
      Map<String, Object> extra) {
    createDirectories(out);
    writeAtomically(out.resolve("config.resolved.yaml"), config.resolved().toYaml());
    Path modelDir = locator.resolve(RunData.modelReference(config.resolved(), config.model()));
    T5Config modelConfig = T5Config.read(modelDir.resolve("config.json")).withDropout(config.train().dropout());

    List<SiteRewrites.Active> active = new ArrayList<>();
    Map<String, PeftMethod> methods = new LinkedHashMap<>();
    for (ExperimentConfig.PeftEntry entry : config.peft()) {
      PeftMethod method = registry.method(entry.method(), entry.config().path()).create(entry.config());
      if (methods.putIfAbsent(entry.method(), method) != null) {
        throw new TfewException(entry.config().path() + ": method '" + entry.method() + "' is listed twice");
      }
      active.add(new SiteRewrites.Active(entry.method(), method));
    }
    List<TrainingGraph.WeightedLoss> losses = new ArrayList<>();
    for (Map.Entry<String, Double> e : config.losses().entrySet()) {
      losses.add(new TrainingGraph.WeightedLoss(e.getKey(),
          registry.loss(e.getKey(), "losses").create(config.lossConfigs().get(e.getKey())), e.getValue()));
    }
    Map<String, Evaluator> evaluators = new LinkedHashMap<>();
    for (String name : config.eval().metrics()) {
      evaluators.put(name, registry.evaluator(name, "eval.metrics")
          .create(io.tfew.api.config.ConfigSection.defaults("eval.metrics." + name,
              registry.evaluator(name, "eval.metrics").configFields())));
    }

    Provenance provenance = new Provenance(config.resolved().tree(), config.seed(), command);
    extra.forEach(provenance::put);
    provenance.file("model/config.json", modelDir.resolve("config.json"));
    try (T5Tokenizer tokenizer = T5Tokenizer.load(modelDir.resolve("tokenizer.json"), config.maxSeqLen());
        ModelGraph graph = new ModelGraph(modelConfig, new SiteRewrites(active), true, 1, config.seed())) {
      provenance.file("model/tokenizer.json", modelDir.resolve("tokenizer.json"));
      RunData data = RunData.load(config, tokenizer);
      data.files().forEach(provenance::file);
      provenance.put("skipped_rows", data.skipped());

      // Zero-shot runs (train.steps 0) build no training graph: a model without trainable parameters has none.
      boolean trains = config.train().steps() > 0;
      TrainingGraph training = trains ? TrainingStep.build(config, methods, graph, losses) : null;
      RankScoringGraph evalGraph = RankScoringGraph.build(graph.ops(), graph.evaluationModel());
      graph.rewrites().requireEveryMethodTouchedASite(graph.parameters());
      long trainable = graph.parameters().count();
      provenance.put("trainable_parameters", trainable);
      // Reports give the trainable share of the model (T-Few's Figure 2 x-axis) from this record alone.
      provenance.put("base_parameters", modelConfig.parameterCount());
      provenance.put("sites", graph.rewrites().touched().entrySet().stream()
          .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, e -> e.getValue().size())));
      try (Session session = graph.startSession()) {
        try (Checkpoint checkpoint = Checkpoint.open(modelDir)) {
          checkpoint.files().forEach(f -> provenance.file("model/" + f.getFileName(), f));
          progress.phase("load", modelConfig.parameterCount());
          graph.weights().load(session, checkpoint, n -> progress.advance(n, ""));
          progress.done();
        }
        // Inits that copy checkpoint values (soft prompts from word embeddings) run once those are loaded.
        graph.parameters().initializeFromBase(session);
        provenance.write(out);

        RankScorer scorer = new RankScorer(session, evalGraph, modelConfig.padTokenId());
        LengthNorm norm = LengthNorm.parse(config.eval().lengthNorm(), "eval.length_norm");
        List<Map<String, Object>> metricRows = new ArrayList<>();
        Map<String, Map<String, Double>> evaluations = new LinkedHashMap<>();
        // Without training the final evaluation is the zero-shot one; it runs once, as "final".
        if (trains && config.train().evalBefore() && !data.eval().isEmpty()) {
          evaluations.put("zero_shot", evaluate("zero_shot", 0, data, scorer, config, norm, evaluators, out,
              metricRows, progress));
        }
        long resumedFrom = 0;
        if (trains) {
          Trainer trainer = new Trainer(graph, session, training,
              new TrainingOptions(config.train().steps(), config.train().batchSize(), config.train().gradAccum(),
                  config.train().lr(), config.train().checkpointEvery(), config.seed()),
              schedule(config), data.train());
          progress.phase("train", config.train().steps());
          Trainer.Outcome trained = trainer.train(out.resolve("checkpoint"), resume, (step, loss, norm2, lr) -> {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("phase", "train");
            row.put("step", step);
            row.put("loss", loss);
            row.put("grad_norm", norm2);
            row.put("lr", lr);
            metricRows.add(row);
            progress.advance(step, String.format(java.util.Locale.ROOT, "loss %.4f", loss));
          });
          progress.done();
          resumedFrom = trained.startStep();
        }
        provenance.put("resumed_from_step", resumedFrom);
        if (!data.eval().isEmpty()) {
          evaluations.put("final", evaluate("final", config.train().steps(), data, scorer, config, norm, evaluators,
              out, metricRows, progress));
        }
        saveAdapters(out, config, methods, graph, session);
        writeJsonl(out.resolve("metrics.jsonl"), metricRows);
        provenance.put("evaluations", evaluations);
        provenance.put("finished", java.time.Instant.now().toString());
        provenance.write(out);
        return new Outcome(out, evaluations, trainable);
      }
    }
  }

  private Map<String, Double> evaluate(String phase, long step, RunData data, RankScorer scorer,
      ExperimentConfig config, LengthNorm norm, Map<String, Evaluator> evaluators, Path out,
      List<Map<String, Object>> metricRows, Progress progress) {
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

  private static void saveAdapters(Path out, ExperimentConfig config, Map<String, PeftMethod> methods,
      ModelGraph graph, Session session) {
    for (ExperimentConfig.PeftEntry entry : config.peft()) {
      Path dir = methods.size() == 1 ? out.resolve("adapter") : out.resolve("adapter").resolve(entry.method());
      AdapterDirectory.save(dir, entry.method(), entry.config(), methods.get(entry.method()), graph.parameters(),
          session);
    }
  }

  private static LearningRateSchedule schedule(ExperimentConfig config) {
    return switch (config.train().schedule()) {
      case "linear" -> new LinearWarmupDecay(config.train().warmupRatio());
      case "constant" -> new ConstantSchedule();
      default -> throw new TfewException("train.schedule: '" + config.train().schedule() + "' is not supported");
    };
  }

  private static void createDirectories(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new TfewException(dir + ": cannot create the directory (" + e.getMessage() + ")");
    }
  }

  private static void writeAtomically(Path target, String text) {
    Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
    try {
      Files.writeString(tmp, text);
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new TfewException(target + ": cannot write (" + e.getMessage() + ")");
    }
  }
}
