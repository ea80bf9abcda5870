package io.tfew.core.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tfew.api.TfewException;
import io.tfew.api.model.EmbeddedInput;
import io.tfew.api.model.EmbeddingSite;
import io.tfew.api.model.ModelRewriter;
import io.tfew.api.model.Parameters;
import io.tfew.core.checkpoint.Checkpoint;
import io.tfew.core.model.SiteRewrites;
import io.tfew.core.model.T5Config;
import io.tfew.core.optim.LinearWarmupDecay;
import io.tfew.core.optim.Sgd;
import io.tfew.core.runtime.ModelGraph;
import io.tfew.core.testing.SharedFixtures;
import io.tfew.core.testing.TinyTraining;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tensorflow.Session;

/**
 * LOMO's fused step ({@link TrainingGraph#buildFused}) against the plain one (all gradients, then SGD) on
 * the t0-tiny fixture with every weight trainable and dropout on: same parameters after two steps, with
 * and without two-pass clipping.
 */
class FusedTrainingTest {
  private static final Path FIXTURE = SharedFixtures.path("fixtures/t5-parity/t0-tiny");

  private static final ModelRewriter TRAIN_ALL = new ModelRewriter() {
    @Override
    public EmbeddedInput inputEmbeddings(EmbeddingSite site, EmbeddedInput input) {
      Parameters p = site.context().parameters();
      p.baseWeightKeys().forEach(p::trainableBase);
      return input;
    }
  };

  private record Run(List<Double> losses, List<Double> norms, Map<String, float[]> before,
      Map<String, float[]> after) {}

  private static Run train(boolean fused, double maxGradNorm, int steps, double lr) {
    List<Double> losses = new ArrayList<>();
    List<Double> norms = new ArrayList<>();
    try (ModelGraph graph = new ModelGraph(T5Config.read(FIXTURE.resolve("config.json")),
        new SiteRewrites(List.of(new SiteRewrites.Active("all", TRAIN_ALL))), true, 1, 5L)) {
      List<TrainingGraph.WeightedLoss> losses1 = List.of(new TrainingGraph.WeightedLoss("nll", TinyTraining.GOLD_NLL, 1.0));
      TrainingGraph tg = fused ? TrainingGraph.buildFused(graph, losses1, maxGradNorm)
          : TrainingGraph.build(graph, losses1, new Sgd(), 1, maxGradNorm);
      try (Session session = graph.startSession()) {
        try (Checkpoint c = Checkpoint.open(FIXTURE)) {
          graph.weights().load(session, c, n -> { });
        }
        Map<String, float[]> before = values(graph, session);
        Trainer trainer = new Trainer(graph, session, tg, new TrainingOptions(steps, 4, 1, lr, 0, 5L),
            new LinearWarmupDecay(0.0), TinyTraining.wordFiveTask(16, 100, 0));
        trainer.train(null, false, (step, l, norm, rate) -> {
          losses.add(l);
          norms.add(norm);
        });
        return new Run(losses, norms, before, values(graph, session));
      }
    }
  }

  private static Map<String, float[]> values(ModelGraph graph, Session session) {
    Map<String, float[]> out = new LinkedHashMap<>();
    for (String key : graph.parameters().declared().keySet()) {
      out.put(key, graph.parameters().read(session, key));
    }
    return out;
  }

  private static double maxAbsDiff(Map<String, float[]> a, Map<String, float[]> b) {
    assertThat(a.keySet()).containsExactlyElementsOf(b.keySet());
    double max = 0;
    for (String key : a.keySet()) {
      float[] x = a.get(key);
      float[] y = b.get(key);
      for (int i = 0; i < x.length; i++) {
        max = Math.max(max, Math.abs(x[i] - y[i]));
      }
    }
    return max;
  }

  @Test
  void fusedStepsEqualAllGradientsThenSgd() {
    Run plain = train(false, 0, 2, 0.5);
    Run fused = train(true, 0, 2, 0.5);
    double moved = maxAbsDiff(plain.before(), plain.after());
    double diff = maxAbsDiff(plain.after(), fused.after());
    System.out.printf("fused vs plain SGD: weights moved up to %.3g, differ by %.3g%n", moved, diff);
    assertThat(moved).isGreaterThan(1e-2);
    assertThat(diff).isLessThan(1e-5);
    assertThat(fused.losses()).hasSize(2);
    assertThat(fused.losses().get(0)).isCloseTo(plain.losses().get(0), org.assertj.core.data.Offset.offset(1e-6));
  }

  @Test
  void twoPassClippingEqualsClipThenSgd() {
    Run plain = train(false, 0.05, 2, 0.5);
    Run fused = train(true, 0.05, 2, 0.5);
    // The clip must bite for the comparison to test it.
    assertThat(plain.norms()).allSatisfy(n -> assertThat(n).isGreaterThan(0.1));
    double moved = maxAbsDiff(plain.before(), plain.after());
    double diff = maxAbsDiff(plain.after(), fused.after());
    System.out.printf("two-pass clipped vs clip-then-SGD: norms %s, weights moved up to %.3g, differ by %.3g%n",
        fused.norms(), moved, diff);
    assertThat(moved).isGreaterThan(1e-3);
    assertThat(diff).isLessThan(1e-5);
    for (int i = 0; i < 2; i++) {
      assertThat(fused.norms().get(i)).isCloseTo(plain.norms().get(i), org.assertj.core.data.Offset.offset(1e-4));
    }
  }

  @Test
  void aFusedStepCannotAccumulate() {
    try (ModelGraph graph = new ModelGraph(T5Config.read(FIXTURE.resolve("config.json")),
        new SiteRewrites(List.of(new SiteRewrites.Active("all", TRAIN_ALL))), true, 1, 5L)) {
      TrainingGraph tg = TrainingGraph.buildFused(graph,
          List.of(new TrainingGraph.WeightedLoss("nll", TinyTraining.GOLD_NLL, 1.0)), 1.0);
      assertThat(tg.optimizer.slots()).isEmpty();
      try (Session session = graph.startSession()) {
        assertThatThrownBy(() -> new Trainer(graph, session, tg, new TrainingOptions(2, 4, 2, 0.1, 0, 5L),
            new LinearWarmupDecay(0.0), TinyTraining.wordFiveTask(16, 100, 0)))
            .isInstanceOf(TfewException.class).hasMessageContaining("train.grad_accum = 2")
            .hasMessageContaining("set train.grad_accum: 1");
      }
    }
  }
}
