package io.tfew.testkit;

import io.tfew.api.TfewException;
import io.tfew.api.config.ConfigException;
import io.tfew.api.config.ConfigSection;
import io.tfew.api.peft.PeftMethod;
import io.tfew.api.peft.PeftMethodProvider;
import io.tfew.api.peft.UpdateRule;
import io.tfew.core.adapter.AdapterDirectory;
import io.tfew.core.checkpoint.Checkpoint;
import io.tfew.core.model.SiteRewrites;
import io.tfew.core.model.T5Config;
import io.tfew.core.model.TrainableParameters;
import io.tfew.core.optim.LinearWarmupDecay;
import io.tfew.core.optim.Optimizers;
import io.tfew.core.plugin.PluginRegistry;
import io.tfew.core.runtime.ModelGraph;
import io.tfew.core.score.ChoiceScores;
import io.tfew.core.score.EncodedExample;
import io.tfew.core.score.RankScorer;
import io.tfew.core.score.RankScoringGraph;
import io.tfew.core.train.ExampleSource;
import io.tfew.core.train.Trainer;
import io.tfew.core.train.TrainingGraph;
import io.tfew.core.train.TrainingOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.tensorflow.Session;

/**
 * Checks one installed PEFT method against tfew's real engine, from a plugin's own JUnit tests: the
 * method is found by name through {@code ServiceLoader} exactly as {@code tfew} finds it, applied to a
 * tiny random T5 written into a temporary directory, trained with core's trainer, saved as an adapter
 * directory, and reloaded the way {@code tfew score --adapter} loads it.
 *
 * <pre>{@code
 * try (PluginTestKit kit = PluginTestKit.forMethod("ffn_gate").withConfig(Map.of("init", 1.0))) {
 *   assertThat(kit.parameterCount()).isEqualTo(4);        // one gate per FFN of the 2+2-layer model
 *   TrainedAdapter run = kit.train();                    // 40 steps on the kit's task
 *   run.assertLossFalls();                               // measured without dropout, before vs after
 *   run.assertReloadScoresIdentically();                 // save, reload, re-score
 *   kit.assertRejectsUnknownKey();
 *   kit.assertRejectsZeroTargetSites(Map.of("target_modules", List.of("no\\.such\\.module")));
 * }
 * }</pre>
 *
 * <p>{@link PeftMethodConformanceTest} runs all of these as JUnit tests; subclass it for the usual set.
 *
 * <p>Everything is a function of {@link #withSeed the seed}: the random model, the task's rows, the
 * parameters' initial values (core derives each from the seed and the parameter's key) and dropout.
 * A kit is not thread-safe; close it to delete its directory.
 */
public final class PluginTestKit implements AutoCloseable {
  /** How many rows the kit trains on and scores. */
  public static final int ROWS = 32;

  private final String method;
  private final PluginRegistry registry;
  private final Path dir;
  private final boolean ownsDir;
  private Map<String, Object> config = Map.of();
  private long seed = 1;
  private int steps = 40;
  private String optimizer = "adamw";
  private Double learningRate;
  private T5Config model;

  private PluginTestKit(String method, Path dir, boolean ownsDir) {
    this.method = method;
    this.registry = PluginRegistry.discover();
    this.dir = dir;
    this.ownsDir = ownsDir;
  }

  /**
   * A kit for the installed method {@code name}, working in a new temporary directory that
   * {@link #close} deletes.
   *
   * @throws AssertionError if no provider of that name is on the class path (a missing or mistyped
   *     {@code META-INF/services/io.tfew.api.peft.PeftMethodProvider} file)
   */
  public static PluginTestKit forMethod(String name) {
    Path dir;
    try {
      dir = Files.createTempDirectory("tfew-testkit-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    PluginTestKit kit = new PluginTestKit(name, dir, true);
    kit.provider();
    return kit;
  }

  /** As {@link #forMethod(String)}, working in {@code dir} (a JUnit {@code @TempDir}), which is kept. */
  public static PluginTestKit forMethod(String name, Path dir) {
    PluginTestKit kit = new PluginTestKit(name, dir, false);
    kit.provider();
    return kit;
  }

  /** The method's YAML section as a map ({@code peft[0]} without {@code method}); empty by default. */
  public PluginTestKit withConfig(Map<String, ?> section) {
    this.config = Map.copyOf(section);
    return this;
  }

  /** The seed of the model, the task, the parameters' initial values and dropout; 1 by default. */
  public PluginTestKit withSeed(long seed) {
    this.seed = seed;
    this.model = null;
    return this;
  }

  /** Optimizer updates {@link #train} runs; 40 by default. */
  public PluginTestKit withSteps(int steps) {
    this.steps = steps;
    return this;
  }

  /**
   * The optimizer ({@code adamw}, {@code adafactor}, {@code sgd}) and its peak learning rate; by default
   * AdamW at 0.01. A method whose {@link PeftMethod#updateRule()} is {@link UpdateRule#FUSED_SGD} always
   * trains with fused SGD, at 0.5 unless a rate is given here.
   */
  public PluginTestKit withOptimizer(String name, double learningRate) {
    this.optimizer = name;
    this.learningRate = learningRate;
    return this;
  }

  /** The installed provider of the method, found by name as {@code tfew} finds it. */
  public PeftMethodProvider provider() {
    PeftMethodProvider p = registry.methods().get(method);
    if (p == null) {
      throw new AssertionError("no PEFT method '" + method + "' on the class path; installed: "
          + registry.methods().keySet() + ". Register the provider's class name in "
          + "src/main/resources/META-INF/services/io.tfew.api.peft.PeftMethodProvider");
    }
    return p;
  }

  /** The configured section, validated against the provider's declared fields as a YAML section is. */
  public ConfigSection config() {
    return ConfigSection.validate("peft[0]", provider().configFields(), config);
  }

  /** Writes the kit's tiny random T5 into {@code DIR/model} on first use and returns that directory. */
  public Path tinyModel() {
    modelConfig();
    return dir.resolve("model");
  }

  /** The tiny model's configuration: gated-GELU, 2 encoder and 2 decoder layers, width 32, 4 heads. */
  public T5Config modelConfig() {
    if (model == null) {
      Path m = dir.resolve("model");
      try {
        Files.createDirectories(m);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      model = TinyRankTask.writeModel(m, seed);
    }
    return model;
  }

  /** The rows the kit trains on and scores; {@link EncodedExample#label()} is the gold choice. */
  public List<EncodedExample> examples() {
    return TinyRankTask.examples(ROWS, seed);
  }

  /** Trainable values the method declares on the tiny model. */
  public long parameterCount() {
    return parameterCount(modelConfig());
  }

  /**
   * Trainable values the method declares on the model described by a Hugging Face {@code config.json},
   * without loading any weights: compare with your method's formula on a real size (t0-3b, say).
   */
  public long parameterCount(Path configJson) {
    return parameterCount(T5Config.read(configJson));
  }

  private long parameterCount(T5Config modelConfig) {
    try (ModelGraph graph = new ModelGraph(modelConfig, rewrites(provider().create(config())), false, 1, seed)) {
      RankScoringGraph.build(graph.ops(), graph.model());
      return graph.parameters().count();
    }
  }

  /**
   * Trains the method on the kit's task with core's trainer, then saves its adapter into
   * {@code DIR/adapter}. The returned run carries what the checks need.
   *
   * @throws AssertionError if the method declares nothing to train
   */
  public TrainedAdapter train() {
    Path modelDir = tinyModel();
    PeftMethodProvider provider = provider();
    ConfigSection section = config();
    PeftMethod peft = provider.create(section);
    List<EncodedExample> rows = examples();
    Path adapter = dir.resolve("adapter");
    List<Double> losses = new ArrayList<>();
    try (ModelGraph graph = new ModelGraph(modelConfig(), rewrites(peft), true, 1, seed)) {
      List<TrainingGraph.WeightedLoss> loss = List.of(new TrainingGraph.WeightedLoss("gold_nll", TinyRankTask.GOLD_NLL, 1));
      boolean fused = peft.updateRule() == UpdateRule.FUSED_SGD;
      TrainingGraph training = fused
          ? TrainingGraph.buildFused(graph, loss, 1.0)
          : TrainingGraph.build(graph, loss, Optimizers.byName(optimizer, "PluginTestKit.withOptimizer"), 1, 1.0);
      RankScoringGraph eval = RankScoringGraph.build(graph.ops(), graph.evaluationModel());
      graph.rewrites().requireEveryMethodTouchedASite(graph.parameters());
      if (graph.parameters().declaredBy(method).isEmpty()) {
        throw new AssertionError("PEFT method '" + method + "' declares no trainable parameter, so it cannot train");
      }
      try (Session session = graph.startSession()) {
        try (Checkpoint checkpoint = Checkpoint.open(modelDir)) {
          graph.weights().load(session, checkpoint, n -> { });
        }
        graph.parameters().initializeFromBase(session);
        RankScorer scorer = new RankScorer(session, eval, modelConfig().padTokenId());
        double before = TinyRankTask.goldNll(rows, scorer.score(rows, ROWS, i -> { }));
        double rate = learningRate != null ? learningRate : fused ? 0.5 : 0.01;
        new Trainer(graph, session, training, new TrainingOptions(steps, 8, 1, rate, 0, seed),
            new LinearWarmupDecay(0.06), ExampleSource.of(rows))
            .train(null, false, (step, l, norm, lr) -> losses.add(l));
        List<ChoiceScores> scores = scorer.score(rows, ROWS, i -> { });
        double after = TinyRankTask.goldNll(rows, scores);
        Map<String, float[]> values = new LinkedHashMap<>();
        for (TrainableParameters.Declared d : graph.parameters().declaredBy(method).values()) {
          values.put(d.key(), graph.parameters().read(session, d.key()));
        }
        AdapterDirectory.save(adapter, method, section, peft, graph.parameters(), session);
        return new TrainedAdapter(method, section, registry, modelDir, adapter, rows, losses, before, after, values, scores,
            seed);
      }
    }
  }

  /**
   * Fails unless a section with an extra, undeclared key is rejected with an error naming the key:
   * a YAML typo must never be silently ignored.
   */
  public void assertRejectsUnknownKey() {
    Map<String, Object> typo = new LinkedHashMap<>(config);
    typo.put("no_such_option", 1);
    try {
      provider().create(ConfigSection.validate("peft[0]", provider().configFields(), typo));
    } catch (ConfigException e) {
      if (!e.getMessage().contains("no_such_option")) {
        throw new AssertionError("the error for an unknown key does not name it: " + e.getMessage());
      }
      return;
    }
    throw new AssertionError("PEFT method '" + method + "' accepted the unknown key 'no_such_option'");
  }

  /**
   * Fails unless the method, configured with {@code targetingNothing} (options whose target patterns
   * match no site of the model), is refused with a {@link TfewException} when its graph is built or its
   * options are validated: a mistyped pattern must not train nothing in silence.
   *
   * @return the error's message, for further checks
   */
  public String assertRejectsZeroTargetSites(Map<String, ?> targetingNothing) {
    try (ModelGraph graph = new ModelGraph(modelConfig(), rewrites(provider().create(
        ConfigSection.validate("peft[0]", provider().configFields(), targetingNothing))), false, 1, seed)) {
      RankScoringGraph.build(graph.ops(), graph.model());
      graph.rewrites().requireEveryMethodTouchedASite(graph.parameters());
    } catch (TfewException e) {
      return e.getMessage();
    }
    throw new AssertionError("PEFT method '" + method + "' with " + targetingNothing
        + " matched no site, yet was accepted");
  }

  private SiteRewrites rewrites(PeftMethod peft) {
    return new SiteRewrites(List.of(new SiteRewrites.Active(method, peft)));
  }

  /** Deletes the kit's temporary directory, unless it was given one. */
  @Override
  public void close() {
    if (!ownsDir) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
