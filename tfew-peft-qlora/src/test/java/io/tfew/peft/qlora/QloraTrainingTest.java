package io.tfew.peft.qlora;

import static org.assertj.core.api.Assertions.assertThat;

import io.tfew.core.checkpoint.Checkpoint;
import io.tfew.core.model.SiteRewrites;
import io.tfew.core.model.T5Config;
import io.tfew.core.optim.AdamW;
import io.tfew.core.optim.LinearWarmupDecay;
import io.tfew.core.runtime.ModelGraph;
import io.tfew.core.testing.SharedFixtures;
import io.tfew.core.testing.TinyTraining;
import io.tfew.core.train.Trainer;
import io.tfew.core.train.TrainingGraph;
import io.tfew.core.train.TrainingOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tensorflow.Session;

/**
 * QLoRA through core's trainer on t0-tiny: on a batch it sees at every step, the loss goes down; only the
 * LoRA matrices are trained. AdamW, as in EveryMethodTrainsTest: LoRA's B starts at zero, where
 * Adafactor's parameter-scaled steps are tiny.
 */
class QloraTrainingTest {
  private static final Path FIXTURE = SharedFixtures.path("fixtures/t5-parity/t0-tiny");

  @Test
  void trainingWithDropoutLowersTheLoss() {
    List<Double> losses = new ArrayList<>();
    QloraMethod qlora = (QloraMethod) QloraModelTest.provider().create(QloraModelTest.section(Map.of("dropout", 0.1)));
    try (ModelGraph graph = new ModelGraph(T5Config.read(FIXTURE.resolve("config.json")),
        new SiteRewrites(List.of(new SiteRewrites.Active("qlora", qlora))), true, 1, 5L)) {
      TrainingGraph tg = TrainingGraph.build(graph,
          List.of(new TrainingGraph.WeightedLoss("nll", TinyTraining.GOLD_NLL, 1.0)), new AdamW(), 1, 1.0);
      // Trained: the LoRA matrices only, not the frozen NF4 state.
      assertThat(graph.parameters().declaredBy("qlora").keySet())
          .allMatch(k -> k.endsWith(".lora_A.weight") || k.endsWith(".lora_B.weight"));
      try (Session session = graph.startSession()) {
        try (Checkpoint c = Checkpoint.open(FIXTURE)) {
          graph.weights().load(session, c, n -> { });
        }
        String b = "decoder.block.0.layer.2.DenseReluDense.wo.lora_B.weight";
        float[] before = graph.parameters().read(session, b);
        Trainer trainer = new Trainer(graph, session, tg, new TrainingOptions(12, 4, 1, 0.01, 0, 5L),
            new LinearWarmupDecay(0.06), TinyTraining.wordFiveTask(4, 100, 0));
        trainer.train(null, false, (step, l, norm, lr) -> losses.add(l));
        assertThat(graph.parameters().read(session, b)).isNotEqualTo(before);
      }
    }
    double first = losses.subList(0, 3).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    double last = losses.subList(9, 12).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    System.out.printf("qlora training loss: first 3 steps %.4f, last 3 steps %.4f (%s)%n", first, last, losses);
    assertThat(last).isLessThan(first * 0.9);
  }
}
