package io.tfew.core.train;

import io.tfew.core.testing.TinyTraining;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tfew.api.TfewException;
import io.tfew.api.loss.ChoiceLogProbs;
import io.tfew.api.loss.Loss;
import io.tfew.api.model.LinearSite;
import io.tfew.api.model.ModelRewriter;
import io.tfew.api.model.ParameterInit;
import io.tfew.core.checkpoint.Checkpoint;
import io.tfew.core.model.SiteRewrites;
import io.tfew.core.model.T5Config;
import io.tfew.core.optim.Adafactor;
import io.tfew.core.optim.LinearWarmupDecay;
import io.tfew.core.runtime.ModelGraph;
import io.tfew.core.testing.SharedFixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The training loop on the t0-tiny fixture with a minimal key/value-scaling method and a gold-choice
 * NLL loss written here (the real methods and losses are plugins tested in their modules).
 */
class TrainerTest {
  private static final Path FIXTURE = SharedFixtures.path("fixtures/t5-parity/t0-tiny");

  @TempDir
  Path tmp;

  /** Rescales every k and v output by a trainable vector initialised to 1. */
  static final ModelRewriter SCALE_KV = new ModelRewriter() {
    @Override
    public Operand<TFloat32> linearOutput(LinearSite site, Operand<TFloat32> input, Operand<TFloat32> output) {
      if (!site.path().endsWith(".k") && !site.path().endsWith(".v")) {
        return output;
      }
      return site.context().tf().math.mul(output, site.context().parameters()
          .trainable(site.path() + ".scale", Shape.of(site.outFeatures()), ParameterInit.constant(1f)));
    }
  };

  private static final Loss NAN = (Ops tf, ChoiceLogProbs b) ->
      tf.math.mul(tf.constant(Float.NaN), tf.sum(b.tokenLogProbs(), tf.constant(new int[] {0, 1, 2})));

  private record Run(List<Double> losses, List<float[]> parameters) {}

  private Run train(int steps, Loss loss, Path checkpoints, boolean resume, int stopAfter, int gradAccum) {
    List<Double> losses = new ArrayList<>();
    try (ModelGraph graph = new ModelGraph(T5Config.read(FIXTURE.resolve("config.json")),
        new SiteRewrites(List.of(new SiteRewrites.Active("scale_kv", SCALE_KV))), true, 1, 5L)) {
      TrainingGraph tg = TrainingGraph.build(graph, List.of(new TrainingGraph.WeightedLoss("nll", loss, 1.0)),
          new Adafactor(), gradAccum, 1.0);
      try (Session session = graph.startSession()) {
        try (Checkpoint c = Checkpoint.open(FIXTURE)) {
          graph.weights().load(session, c, n -> { });
        }
        Trainer trainer = new Trainer(graph, session, tg, new TrainingOptions(steps, 4, gradAccum, 0.05, 3, 5L),
            new LinearWarmupDecay(0.06), TinyTraining.wordFiveTask(16, 100, 0));
        try {
          trainer.train(checkpoints, resume, (step, l, norm, lr) -> {
            losses.add(l);
            if (step == stopAfter) {
              throw new IllegalStateException("killed");
            }
          });
        } catch (IllegalStateException killed) {
          // simulated crash
        }
        List<float[]> values = new ArrayList<>();
        for (String key : graph.parameters().declared().keySet()) {
          values.add(graph.parameters().read(session, key));
        }
        return new Run(losses, values);
      }
    }
  }

  @Test
  void trainingLowersTheLoss() {
    Run run = train(30, TinyTraining.GOLD_NLL, null, false, -1, 1);
    double first = run.losses().subList(0, 4).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    double last = run.losses().subList(26, 30).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    assertThat(last).isLessThan(first * 0.8);
  }

  @Test
  void aRunKilledAfterACheckpointAndResumedEndsBitIdentical() throws Exception {
    Run straight = train(9, TinyTraining.GOLD_NLL, tmp.resolve("a"), false, -1, 1);
    train(9, TinyTraining.GOLD_NLL, tmp.resolve("b"), false, 3, 1);
    Run resumed = train(9, TinyTraining.GOLD_NLL, tmp.resolve("b"), true, -1, 1);
    assertThat(resumed.losses()).hasSize(6);
    assertThat(resumed.losses()).containsExactlyElementsOf(straight.losses().subList(3, 9));
    for (int i = 0; i < straight.parameters().size(); i++) {
      assertThat(resumed.parameters().get(i)).containsExactly(straight.parameters().get(i));
    }
    assertThat(Files.readAllBytes(tmp.resolve("b").resolve(TrainingCheckpoint.FILE)))
        .isEqualTo(Files.readAllBytes(tmp.resolve("a").resolve(TrainingCheckpoint.FILE)));
  }

  @Test
  void gradientAccumulationUpdatesOncePerStep() {
    Run accumulated = train(4, TinyTraining.GOLD_NLL, null, false, -1, 2);
    assertThat(accumulated.losses()).hasSize(4);
    // The scales start at 1: the loop's applying micro-batches moved them (GradientAccumulationTest checks what
    // each kind of micro-batch does).
    float[] ones = new float[accumulated.parameters().get(0).length];
    java.util.Arrays.fill(ones, 1f);
    assertThat(accumulated.parameters().get(0)).isNotEqualTo(ones);
  }

  @Test
  void aNonFiniteLossStopsTheRunAndKeepsTheLastGoodState() {
    assertThatThrownBy(() -> train(3, NAN, tmp.resolve("nan"), false, -1, 1))
        .isInstanceOf(TfewException.class)
        .hasMessageContaining("NaN")
        .hasMessageContaining("step 1");
    assertThat(tmp.resolve("nan").resolve(TrainingCheckpoint.FILE)).doesNotExist();
  }
}
