package io.tfew.peft.baselines;

import io.tfew.core.testing.TinyTraining;
import static org.assertj.core.api.Assertions.assertThat;

import io.tfew.api.config.ConfigSection;
import io.tfew.api.peft.PeftMethod;
import io.tfew.api.peft.PeftMethodProvider;
import io.tfew.api.peft.UpdateRule;
import io.tfew.core.adapter.AdapterDirectory;
import io.tfew.core.checkpoint.Checkpoint;
import io.tfew.core.model.SiteRewrites;
import io.tfew.core.model.T5Config;
import io.tfew.core.model.TrainableParameters;
import io.tfew.core.optim.Adafactor;
import io.tfew.core.optim.LinearWarmupDecay;
import io.tfew.core.plugin.PluginRegistry;
import io.tfew.core.runtime.ModelGraph;
import io.tfew.core.score.ChoiceScores;
import io.tfew.core.score.EncodedExample;
import io.tfew.core.score.RankScorer;
import io.tfew.core.score.RankScoringGraph;
import io.tfew.core.testing.FixtureBatch;
import io.tfew.core.testing.ExpectedTensors;
import io.tfew.core.testing.ParityModel;
import io.tfew.core.testing.SharedFixtures;
import io.tfew.core.train.Trainer;
import io.tfew.core.train.TrainingGraph;
import io.tfew.core.train.TrainingOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Session;
import org.tensorflow.types.TFloat32;

/**
 * Shared helpers: providers as core discovers them, fixture scores, a few training steps on t0-tiny with
 * a gold-choice NLL (as core's TrainerTest does), and parameter counts on T0-3B's architecture.
 */
final class BaselinesTestKit {
  static final double TOLERANCE = 1e-4;
  /** ParityModel names its first rewriter fixture0; the training helper uses the same name. */
  static final String NAME = "fixture0";

  private BaselinesTestKit() {}

  static PeftMethodProvider provider(String method) {
    return PluginRegistry.discover().method(method, "test: peft.method");
  }

  static ConfigSection section(String method, Map<String, ?> raw) {
    return ConfigSection.validate("test: peft", provider(method).configFields(), raw);
  }

  static PeftMethod create(String method, Map<String, ?> raw) {
    return provider(method).create(section(method, raw));
  }

  static List<EncodedExample> fixtureExamples(ExpectedTensors e) {
    return FixtureBatch.examples(e);
  }

  static float[] means(List<ChoiceScores> scores) {
    return FixtureBatch.means(scores);
  }

  static float[] score(Session session, RankScoringGraph rank, ExpectedTensors e) {
    return means(new RankScorer(session, rank, 0).scoreBatch(fixtureExamples(e)));
  }

  static float[] score(ParityModel h) {
    return score(h.session, h.rank, h.expected());
  }

  static double maxAbsDiff(float[] a, float[] b) {
    return FixtureBatch.maxAbsDiff(a, b);
  }

  /** Asserts that the method leaves the fixture's base-model scores as they are. */
  static void assertBaseScores(String fixture, PeftMethod method) {
    try (ParityModel h = new ParityModel(fixture, method)) {
      assertThat(h.graph.parameters().declaredBy(NAME)).isNotEmpty();
      double err = maxAbsDiff(score(h), h.expected().floats("choice_scores_mean_logprob"));
      System.out.printf("%s %s-at-init scores max abs error %.3g%n", fixture, method.getClass().getSimpleName(), err);
      assertThat(err).as("choice_scores_mean_logprob max abs error").isLessThan(TOLERANCE);
    }
  }

  /**
   * What a short training run left: the losses, each declared parameter before and after, and the
   * fixture's scores after (from the graph's dropout-free evaluation model).
   */
  record Trained(List<Double> losses, Map<String, float[]> before, Map<String, float[]> after, float[] scores) {
    double meanLoss(int from, int to) {
      return losses.subList(from, to).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    }
  }

  /**
   * Trains the method (active under its own name, as a run names it) for {@code steps} Adafactor updates
   * (fused SGD for a method that asks for it) on the fixture; saves the adapter to {@code saveTo} when it is not null.
   */
  static Trained train(String fixture, String methodName, Map<String, ?> raw, int steps, double lr, Path saveTo) {
    ConfigSection section = section(methodName, raw);
    PeftMethod method = provider(methodName).create(section);
    Path dir = SharedFixtures.path("fixtures/t5-parity/" + fixture);
    List<Double> losses = new ArrayList<>();
    try (ExpectedTensors e = new ExpectedTensors(dir.resolve("expected.safetensors"));
        ModelGraph graph = new ModelGraph(T5Config.read(dir.resolve("config.json")),
            new SiteRewrites(List.of(new SiteRewrites.Active(methodName, method))), true, 1, 5L)) {
      List<TrainingGraph.WeightedLoss> nll = List.of(new TrainingGraph.WeightedLoss("nll", TinyTraining.GOLD_NLL, 1.0));
      // As a run chooses: SGD fused into the backward pass when the method asks for it (lomo).
      TrainingGraph tg = method.updateRule() == UpdateRule.FUSED_SGD ? TrainingGraph.buildFused(graph, nll, 1.0)
          : TrainingGraph.build(graph, nll, new Adafactor(), 1, 1.0);
      RankScoringGraph rank = RankScoringGraph.build(graph.ops(), graph.evaluationModel());
      graph.rewrites().requireEveryMethodTouchedASite(graph.parameters());
      try (Session session = graph.startSession()) {
        try (Checkpoint c = Checkpoint.open(dir)) {
          graph.weights().load(session, c, n -> { });
        }
        Map<String, float[]> before = values(graph.parameters(), methodName, session);
        Trainer trainer = new Trainer(graph, session, tg, new TrainingOptions(steps, 4, 1, lr, 0, 5L),
            new LinearWarmupDecay(0.06), TinyTraining.wordFiveTask(16, 80, 0));
        trainer.train(null, false, (step, l, norm, rate) -> losses.add(l));
        Map<String, float[]> after = values(graph.parameters(), methodName, session);
        float[] scores = score(session, rank, e);
        if (saveTo != null) {
          AdapterDirectory.save(saveTo, methodName, section, method, graph.parameters(), session);
        }
        return new Trained(losses, before, after, scores);
      }
    }
  }

  static Map<String, float[]> values(TrainableParameters parameters, String name, Session session) {
    Map<String, float[]> out = new LinkedHashMap<>();
    for (String key : parameters.declaredBy(name).keySet()) {
      out.put(key, parameters.read(session, key));
    }
    return out;
  }

  /** Loads a saved adapter into a fresh inference model of the fixture and returns its scores. */
  static float[] reloadedScores(String fixture, String method, Path adapter) {
    AdapterDirectory.Spec spec = AdapterDirectory.read(adapter, PluginRegistry.discover());
    assertThat(spec.provider().name()).isEqualTo(method);
    PeftMethod fresh = spec.provider().create(
        ConfigSection.validate("adapter", spec.provider().configFields(), spec.methodConfig()));
    try (ParityModel h = new ParityModel(fixture, fresh)) {
      AdapterDirectory.load(adapter, NAME, fresh, h.graph.parameters(), h.session);
      return score(h);
    }
  }

  /** A graph of T0-3B's architecture, no session: what the method declares there. */
  static Map<String, TrainableParameters.Declared> t03bDeclared(PeftMethod method) {
    T5Config config = T5Config.read(SharedFixtures.path("fixtures/configs/t0-3b/config.json"));
    try (ModelGraph graph = new ModelGraph(config, new SiteRewrites(List.of(new SiteRewrites.Active(NAME, method))),
        false, 1, 0L)) {
      RankScoringGraph.build(graph.ops(), graph.model());
      graph.rewrites().requireEveryMethodTouchedASite(graph.parameters());
      assertThat(graph.parameters().declared()).hasSameSizeAs(graph.parameters().declaredBy(NAME));
      return graph.parameters().declaredBy(NAME);
    }
  }

  static long count(Map<String, TrainableParameters.Declared> declared) {
    return declared.values().stream().mapToLong(TrainableParameters.Declared::size).sum();
  }
}
