package io.tfew.core.runtime;

import io.tfew.core.model.ModelGraphContext;
import io.tfew.core.model.SiteRewrites;
import io.tfew.core.model.T5Config;
import io.tfew.core.model.T5Model;
import io.tfew.core.model.T5Weights;
import io.tfew.core.model.TrainableParameters;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TInt64;

/**
 * A TensorFlow graph holding one T5 model: its base-weight variables, the parameters of the active
 * PEFT methods, and the ops that programs (scoring, generation, training) add on top.
 *
 * <p>Build every program first, then {@link #startSession}: the methods' {@code beginGraph} runs when the
 * graph is created, their site rewrites while programs are built (see {@link io.tfew.api.model.ModelRewriter}
 * for the order), and their parameters must all be declared before they are initialised.
 *
 * <p>A graph whose weights will be loaded from a checkpoint is best built with {@link SessionOptions}: its
 * session then opens as soon as the weights are declared, and the run that loads them is built while the
 * graph is still small.
 *
 * <pre>{@code
 * try (ModelGraph graph = new ModelGraph(T5Config.read(dir.resolve("config.json")), SiteRewrites.none(),
 *     false, 1, 0L, SessionOptions.DEFAULT)) {
 *   RankScoringGraph scoring = RankScoringGraph.build(graph.ops(), graph.model());
 *   try (Session session = graph.startSession();
 *       Checkpoint checkpoint = Checkpoint.open(dir)) {
 *     graph.weights().load(session, checkpoint, loaded -> { });
 *     List<ChoiceScores> scores = new RankScorer(session, scoring, graph.config().padTokenId())
 *         .score(examples, 16, done -> { });
 *   }
 * }
 * }</pre>
 */
public final class ModelGraph implements AutoCloseable {
  private final Graph graph;
  private final Ops tf;
  private final T5Config config;
  private final T5Weights weights;
  private final TrainableParameters parameters;
  private final SiteRewrites rewrites;
  private final T5Model model;
  private final Placeholder<TInt64> dropoutSeed;
  private final int taskCount;
  private T5Model evaluationModel;
  /** The session opened when the weights were declared, or {@code null}; see the constructor with options. */
  private final SessionOptions earlyOptions;
  private Session early;
  private boolean earlyHandedOut;
  private double earlySeconds;

  /** A graph whose session {@link #startSession(SessionOptions)} opens once every program is built. */
  public ModelGraph(T5Config config, SiteRewrites rewrites, boolean training, int taskCount, long seed) {
    this(config, rewrites, training, taskCount, seed, null, PrefixScope::ops);
  }

  /**
   * A graph whose weights will be loaded: its session is opened with {@code options} as soon as the base weights
   * are declared, and the run that loads them is built then, while the graph holds nothing else. TensorFlow
   * builds a run's executor from a copy of the whole graph, and keeps it as the graph grows, so built here it
   * costs what a graph of the weights alone costs, not what the finished training graph would ({@code tfew bench
   * startup} reports it). {@link #startSession()} returns that session.
   */
  public ModelGraph(T5Config config, SiteRewrites rewrites, boolean training, int taskCount, long seed,
      SessionOptions options) {
    this(config, rewrites, training, taskCount, seed, java.util.Objects.requireNonNull(options, "options"),
        PrefixScope::ops);
  }

  /** As the public constructors, with the op factory's root made by {@code opsFor} (tests compare scopes). */
  ModelGraph(T5Config config, SiteRewrites rewrites, boolean training, int taskCount, long seed,
      SessionOptions earlyOptions, Function<Graph, Ops> opsFor) {
    this.graph = new Graph();
    this.tf = opsFor.apply(graph);
    this.config = config;
    this.weights = T5Weights.declare(tf, config);
    this.earlyOptions = earlyOptions;
    try {
      if (earlyOptions != null) {
        long start = System.nanoTime();
        early = new Session(graph, earlyOptions.proto());
        weights.prepareLoading(early);
        earlySeconds = (System.nanoTime() - start) / 1e9;
      }
      this.parameters = new TrainableParameters(tf, weights, seed);
      this.rewrites = rewrites;
      rewrites.beforeEachHook(parameters::declaringFor);
      // Before any program is built, so a method can size what its sites share by the sites it targets.
      rewrites.beginGraph(new ModelGraphContext(tf.withSubScope("peft_graph"), parameters, config.dims(),
          T5Model.sites(config), taskCount, training));
      this.dropoutSeed = training
          ? tf.withName("dropout_seed").placeholder(TInt64.class, Placeholder.shape(Shape.of(2)))
          : null;
      this.model = new T5Model(tf, config, weights, parameters, rewrites, training, taskCount, dropoutSeed);
      this.taskCount = taskCount;
    } catch (RuntimeException | Error e) {
      // Nobody holds this graph yet to close it.
      if (early != null) {
        early.close();
      }
      graph.close();
      throw e;
    }
  }

  public Ops ops() {
    return tf;
  }

  public T5Config config() {
    return config;
  }

  public T5Model model() {
    return model;
  }

  /**
   * The model without dropout, over the same variables: a training graph evaluates with it, so
   * evaluation sees the parameters as trained without copying them to a second session.
   */
  public T5Model evaluationModel() {
    if (dropoutSeed == null) {
      return model;
    }
    if (evaluationModel == null) {
      evaluationModel = new T5Model(tf.withSubScope("eval"), config, weights, parameters, rewrites, false,
          taskCount, null);
    }
    return evaluationModel;
  }

  public T5Weights weights() {
    return weights;
  }

  public TrainableParameters parameters() {
    return parameters;
  }

  /**
   * The {@code [2]} int64 seed every dropout mask derives from; feed a value that depends on the run
   * seed and the micro-step. {@code null} for evaluation graphs, which have no dropout.
   */
  public Placeholder<TInt64> dropoutSeed() {
    return dropoutSeed;
  }

  public SiteRewrites rewrites() {
    return rewrites;
  }

  /**
   * Opens a session and initialises the declared parameters. Base weights are still unset: load them
   * with {@link T5Weights#load}, which also computes the frozen tensors methods derive from them. Fails if
   * a base weight some method replaced is still read by an op.
   */
  public Session startSession() {
    return startSession(earlyOptions != null ? earlyOptions : SessionOptions.DEFAULT);
  }

  /**
   * As {@link #startSession()}, with the given threads and graph optimisation. A graph built with options has
   * its session already: it is handed out once, and only for those same options.
   */
  public Session startSession(SessionOptions options) {
    if (earlyOptions != null && (earlyHandedOut || !earlyOptions.equals(options))) {
      throw new IllegalStateException(earlyHandedOut ? "the session of this graph was started already"
          : "this graph's session was opened with " + earlyOptions + ", not " + options);
    }
    // Every program is built by now: a replaced base weight must have no reader left.
    weights.requireReplacedUnread();
    Session session = earlyOptions != null ? early : new Session(graph, options.proto());
    try {
      parameters.initialize(session);
    } catch (RuntimeException e) {
      session.close();
      earlyHandedOut = earlyOptions != null;
      throw e;
    }
    earlyHandedOut = earlyOptions != null;
    return session;
  }

  /**
   * Seconds the constructor spent opening the session and building the loading run (0 for a graph built without
   * options); part of the build time, which benchmarks report beside it.
   */
  public double earlySessionSeconds() {
    return earlySeconds;
  }

  /** How many operations the graph holds (benchmarks report it beside the build time). */
  public int operationCount() {
    int[] n = {0};
    graph.operations().forEachRemaining(op -> n[0]++);
    return n[0];
  }

  /** The names of every operation in the graph, in creation order. */
  List<String> operationNames() {
    List<String> names = new ArrayList<>();
    graph.operations().forEachRemaining(op -> names.add(op.name()));
    return names;
  }

  @Override
  public void close() {
    if (early != null && !earlyHandedOut) {
      early.close();
    }
    graph.close();
  }
}
