package io.tfew.core.train;

import io.tfew.api.config.ConfigSection;
import io.tfew.api.peft.PeftMethod;
import io.tfew.core.adapter.AdapterDirectory;
import io.tfew.core.checkpoint.Checkpoint;
import io.tfew.core.model.T5Config;
import io.tfew.core.optim.LearningRateSchedule;
import io.tfew.core.runtime.ActiveMethod;
import io.tfew.core.runtime.ModelGraph;
import io.tfew.core.runtime.SessionOptions;
import io.tfew.core.score.RankScorer;
import io.tfew.core.score.RankScoringGraph;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;
import java.util.stream.Collectors;
import org.tensorflow.Session;

/**
 * A base checkpoint with PEFT methods applied, built once into a graph that trains and scores, with its
 * session open and the base weights loaded; then trained and evaluated as many times as needed, each time
 * from freshly initialised parameters ({@link #reset}). Building the graph and loading the weights costs more
 * than a whole few-shot run of a small model, which is why a sweep over seeds, data or learning rates reuses
 * one. {@link io.tfew.core.runtime.LoadedModel} is the counterpart that only scores or generates with
 * adapters already trained.
 *
 * <pre>{@code
 * T5Config shape = T5Config.read(modelDir.resolve("config.json"));
 * List<ActiveMethod> methods = List.of(new ActiveMethod("ia3", registry.method("ia3", "peft"), ia3Options,
 *     Optional.empty()));
 * TrainingFactory training = (graph, created) -> TrainingGraph.build(graph, losses, new Adafactor(
 *     Adafactor.Options.tfew()), 1, 1.0);
 * try (TrainableModel model = TrainableModel.open(modelDir, shape, methods, training, seed,
 *     SessionOptions.DEFAULT, loaded -> { })) {
 *   model.reset(seed, loaded -> { });
 *   model.trainer(new TrainingOptions(1000, 8, 1, 3e-3, 0, seed), new LinearWarmupDecay(0.06), examples)
 *       .train(runDir.resolve("checkpoint"), false, (step, loss, norm, lr) -> { });
 *   List<ChoiceScores> scores = model.scorer().score(evalExamples, 32, n -> { });
 *   model.saveAdapter(runDir.resolve("adapter"), "ia3", ia3Options);
 * }
 * }</pre>
 *
 * <p>Not thread-safe: one model per thread.
 */
public final class TrainableModel implements AutoCloseable {
  /** Builds the training step over the model's graph once the methods have declared their parameters. */
  @FunctionalInterface
  public interface TrainingFactory {
    /**
     * @param graph the model graph, with every method applied
     * @param methods the methods by name, as created for this model (for their update rules)
     */
    TrainingGraph build(ModelGraph graph, Map<String, PeftMethod> methods);
  }

  private final Path modelDir;
  private final T5Config modelConfig;
  private final ModelGraph graph;
  private final Map<String, PeftMethod> methods;
  private final TrainingGraph training;
  private final RankScoringGraph scoring;
  private final Session session;
  private final long builtSeed;
  private final boolean trainsBaseWeights;
  private int resets;

  private TrainableModel(Path modelDir, T5Config modelConfig, ModelGraph graph, Map<String, PeftMethod> methods,
      TrainingGraph training, RankScoringGraph scoring, Session session, long builtSeed) {
    this.modelDir = modelDir;
    this.modelConfig = modelConfig;
    this.graph = graph;
    this.methods = methods;
    this.training = training;
    this.scoring = scoring;
    this.session = session;
    this.builtSeed = builtSeed;
    this.trainsBaseWeights = graph.parameters().declared().values().stream().anyMatch(d -> d.init() == null);
  }

  /**
   * Builds the graph of {@code modelConfig} (the checkpoint's architecture, or it with another dropout rate)
   * with {@code methods} applied, opens its session and loads the checkpoint in {@code modelDir}.
   *
   * @param training the training step; {@code null} builds a model that only scores (zero-shot)
   * @param seed the seed the methods' parameters are drawn from at build time
   * @param loaded called with the number of base weight values loaded so far
   */
  public static TrainableModel open(Path modelDir, T5Config modelConfig, List<ActiveMethod> methods,
      TrainingFactory training, long seed, SessionOptions options, LongConsumer loaded) {
    ActiveMethod.Created created = ActiveMethod.create(methods);
    ModelGraph graph = null;
    Session session = null;
    try {
      graph = new ModelGraph(modelConfig, created.rewrites(), training != null, 1, seed, options);
      TrainingGraph trainingGraph = training == null ? null : training.build(graph, created.methods());
      RankScoringGraph scoring = RankScoringGraph.build(graph.ops(), graph.evaluationModel());
      graph.rewrites().requireEveryMethodTouchedASite(graph.parameters());
      session = graph.startSession();
      loadBase(graph, session, modelDir, loaded);
      return new TrainableModel(modelDir, modelConfig, graph, created.methods(), trainingGraph, scoring, session,
          seed);
    } catch (RuntimeException e) {
      if (session != null) {
        session.close();
      }
      if (graph != null) {
        graph.close();
      }
      throw e;
    }
  }

  /**
   * Puts every parameter where a fresh process with {@code seed} starts it: the methods' random inits drawn
   * again, base weights that are trained (full fine-tuning) reloaded, and inits that copy base values (soft
   * prompts from word embeddings) run after them. The optimizer's slots start from zero in each {@link
   * #trainer}. Call it before every run.
   *
   * @param loaded called with the number of base weight values reloaded so far, when any are
   */
  public void reset(long seed, LongConsumer loaded) {
    graph.parameters().reseed(seed);
    // The session's first initialisation already drew the build seed's values.
    if (resets > 0 || seed != builtSeed) {
      graph.parameters().initialize(session);
    }
    if (resets > 0 && trainsBaseWeights) {
      loadBase(graph, session, modelDir, loaded);
    }
    graph.parameters().initializeFromBase(session);
    resets++;
  }

  /** Whether the model was built with a training step. */
  public boolean trains() {
    return training != null;
  }

  /** A trainer over {@code examples}; the model must have been built with a training step. */
  public Trainer trainer(TrainingOptions options, LearningRateSchedule schedule, ExampleSource examples) {
    if (training == null) {
      throw new IllegalStateException("this model was opened without a training step");
    }
    return new Trainer(graph, session, training, options, schedule, examples);
  }

  /** Rank classification with the parameters as they are now (dropout off). */
  public RankScorer scorer() {
    return new RankScorer(session, scoring, modelConfig.padTokenId());
  }

  /** Writes {@code method}'s parameters as a PEFT adapter directory ({@link AdapterDirectory#save}). */
  public void saveAdapter(Path dir, String method, ConfigSection options) {
    PeftMethod m = methods.get(method);
    if (m == null) {
      throw new IllegalArgumentException("method '" + method + "' is not applied to this model: " + methods.keySet());
    }
    AdapterDirectory.save(dir, method, options, m, graph.parameters(), session);
  }

  /** The methods applied, by name, in the order given. */
  public Map<String, PeftMethod> methods() {
    return methods;
  }

  /** Trainable parameters of the methods, summed. */
  public long trainableParameters() {
    return graph.parameters().count();
  }

  /** Values of the frozen tensors the methods own ({@code Parameters.frozen}), summed. */
  public long frozenParameters() {
    return graph.parameters().frozenCount();
  }

  /** Parameters of the base model. */
  public long baseParameters() {
    return modelConfig.parameterCount();
  }

  /** How many sites each method rewrote. */
  public Map<String, Integer> sitesTouched() {
    return graph.rewrites().touched().entrySet().stream()
        .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().size()));
  }

  public Path modelDir() {
    return modelDir;
  }

  public T5Config modelConfig() {
    return modelConfig;
  }

  @Override
  public void close() {
    session.close();
    graph.close();
  }

  private static void loadBase(ModelGraph graph, Session session, Path modelDir, LongConsumer loaded) {
    try (Checkpoint checkpoint = Checkpoint.open(modelDir)) {
      graph.weights().load(session, checkpoint, loaded);
    }
  }
}
