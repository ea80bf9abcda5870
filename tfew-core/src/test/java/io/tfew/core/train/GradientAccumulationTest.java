package io.tfew.core.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.tfew.core.checkpoint.Checkpoint;
import io.tfew.core.model.SiteRewrites;
import io.tfew.core.model.T5Config;
import io.tfew.core.optim.Optimizers;
import io.tfew.core.runtime.ModelGraph;
import io.tfew.core.score.ChoiceBatch;
import io.tfew.core.score.EncodedExample;
import io.tfew.core.testing.SharedFixtures;
import io.tfew.core.testing.TinyTraining;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.types.TFloat32;

/**
 * Accumulated steps on the t0-tiny fixture without dropout: a micro-batch that does not apply leaves every
 * parameter and optimizer slot as it was, and k accumulated micro-batches make the same update as one run on
 * their union.
 */
class GradientAccumulationTest {
  private static final Path FIXTURE = SharedFixtures.path("fixtures/t5-parity/t0-tiny");

  /** Parameters, optimizer slots and the gradient norm after each micro-batch of {@code micro}. */
  private record State(Map<String, float[]> values, double norm) {}

  private static List<State> run(List<List<EncodedExample>> micro, List<Boolean> applies, int gradAccum,
      String optimizer) {
    List<State> states = new ArrayList<>();
    T5Config config = T5Config.read(FIXTURE.resolve("config.json")).withDropout(0.0);
    try (ModelGraph graph = new ModelGraph(config,
        new SiteRewrites(List.of(new SiteRewrites.Active("scale_kv", TrainerTest.SCALE_KV))), true, 1, 5L)) {
      TrainingGraph tg = TrainingGraph.build(graph, List.of(new TrainingGraph.WeightedLoss("nll",
          TinyTraining.GOLD_NLL, 1.0)), Optimizers.byName(optimizer, "test"), gradAccum, 1.0);
      try (Session session = graph.startSession()) {
        try (Checkpoint c = Checkpoint.open(FIXTURE)) {
          graph.weights().load(session, c, n -> { });
        }
        tg.resetState(session);
        states.add(new State(values(graph, tg, session), Double.NaN));
        for (int i = 0; i < micro.size(); i++) {
          try (ChoiceBatch packed = ChoiceBatch.pack(micro.get(i), config.padTokenId())) {
            double[] r = Trainer.runStep(graph, session, tg, packed, 5L, i, 0.05, 1 + i / gradAccum, applies.get(i));
            states.add(new State(values(graph, tg, session), r[1]));
          }
        }
      }
    }
    return states;
  }

  private static Map<String, float[]> values(ModelGraph graph, TrainingGraph tg, Session session) {
    Map<String, float[]> out = new LinkedHashMap<>(graph.parameters().read(session, graph.parameters().declared()
        .keySet()));
    for (var slot : tg.slots.entrySet()) {
      try (Result r = session.runner().fetch(slot.getValue()).run()) {
        TFloat32 t = (TFloat32) r.get(0);
        float[] v = new float[Math.toIntExact(t.size())];
        t.asRawTensor().data().asFloats().read(v);
        out.put("slot " + slot.getKey(), v);
      }
    }
    return out;
  }

  private static List<EncodedExample> examples(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    List<EncodedExample> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new EncodedExample(r.ints(9, 10, 90).toArray(), List.of(new int[] {3, 1}, new int[] {4, 1}),
          i % 2, 0));
    }
    return out;
  }

  /** Every optimizer: the update must be wholly downstream of the gradients for the gate to skip it. */
  @ParameterizedTest
  @FieldSource("io.tfew.core.optim.Optimizers#NAMES")
  void microBatchesThatDoNotApplyChangeNoParameterOrSlot(String optimizer) {
    List<EncodedExample> all = examples(6, 1);
    List<State> states = run(List.of(all.subList(0, 2), all.subList(2, 4), all.subList(4, 6)),
        List.of(false, false, true), 3, optimizer);
    for (int i = 1; i <= 2; i++) {
      assertThat(states.get(i).norm()).as("norm of micro-batch %d", i).isNaN();
      for (var e : states.get(0).values().entrySet()) {
        assertThat(states.get(i).values().get(e.getKey())).as("%s after micro-batch %d", e.getKey(), i)
            .containsExactly(e.getValue());
      }
    }
    assertThat(states.get(3).norm()).isFinite().isPositive();
    if (!optimizer.equals("sgd")) {
      assertThat(states.get(3).values().keySet()).anyMatch(k -> k.startsWith("slot "));
    }
    for (var e : states.get(0).values().entrySet()) {
      assertThat(states.get(3).values().get(e.getKey())).as(e.getKey()).isNotEqualTo(e.getValue());
    }
  }

  @Test
  void accumulatedStepsMatchStepsOnTheWholeBatchAndStartFromClearedAccumulators() {
    List<EncodedExample> first = examples(4, 2);
    List<EncodedExample> second = examples(4, 3);
    List<State> accumulated = run(List.of(first.subList(0, 2), first.subList(2, 4), second.subList(0, 2),
        second.subList(2, 4)), List.of(false, true, false, true), 2, "adafactor");
    List<State> whole = run(List.of(first, second), List.of(true, true), 1, "adafactor");
    for (int step = 1; step <= 2; step++) {
      State a = accumulated.get(2 * step);
      State w = whole.get(step);
      assertThat(a.norm()).as("norm of step %d", step).isCloseTo(w.norm(), within(1e-5 * w.norm()));
      for (var e : w.values().entrySet()) {
        float[] expected = e.getValue();
        float[] actual = a.values().get(e.getKey());
        for (int i = 0; i < expected.length; i++) {
          assertThat(actual[i]).as("%s[%d] after step %d", e.getKey(), i, step)
              .isCloseTo(expected[i], within(1e-5f * Math.max(1f, Math.abs(expected[i]))));
        }
      }
    }
  }
}
