package io.tfew.peft.lora;

import io.tfew.core.testing.TinyTraining;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.tfew.core.checkpoint.Checkpoint;
import io.tfew.core.model.SiteRewrites;
import io.tfew.core.model.T5Config;
import io.tfew.core.optim.Adafactor;
import io.tfew.core.optim.LinearWarmupDecay;
import io.tfew.core.runtime.ModelGraph;
import io.tfew.core.testing.SharedFixtures;
import io.tfew.core.train.Trainer;
import io.tfew.core.train.TrainingGraph;
import io.tfew.core.train.TrainingOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tensorflow.Session;
import org.tensorflow.types.TFloat32;

/**
 * LoRA through core's trainer on t0-tiny, with the gold-choice NLL of core's TrainerTest and its toy task
 * (label = whether word w5 occurs).
 */
class LoraTrainingTest {
  private static final Path FIXTURE = SharedFixtures.path("fixtures/t5-parity/t0-tiny");

  private record Run(List<Double> losses, Map<String, float[]> before, Map<String, float[]> after) {}

  private static Run train(Map<String, ?> options, int steps, int taskCount) {
    List<Double> losses = new ArrayList<>();
    try (ModelGraph graph = new ModelGraph(T5Config.read(FIXTURE.resolve("config.json")),
        new SiteRewrites(List.of(new SiteRewrites.Active("lora", LoraTestKit.create(options)))), true, taskCount,
        5L)) {
      TrainingGraph tg = TrainingGraph.build(graph, List.of(new TrainingGraph.WeightedLoss("nll", TinyTraining.GOLD_NLL, 1.0)),
          new Adafactor(), 1, 1.0);
      try (Session session = graph.startSession()) {
        try (Checkpoint c = Checkpoint.open(FIXTURE)) {
          graph.weights().load(session, c, n -> { });
        }
        Map<String, float[]> before = read(graph, session);
        Trainer trainer = new Trainer(graph, session, tg, new TrainingOptions(steps, 4, 1, 0.05, 0, 5L),
            new LinearWarmupDecay(0.06), TinyTraining.wordFiveTask(16, 100, 0));
        trainer.train(null, false, (step, l, norm, lr) -> losses.add(l));
        return new Run(losses, before, read(graph, session));
      }
    }
  }

  private static Map<String, float[]> read(ModelGraph graph, Session session) {
    Map<String, float[]> values = new LinkedHashMap<>();
    for (String key : graph.parameters().declaredBy("lora").keySet()) {
      values.put(key, graph.parameters().read(session, key));
    }
    return values;
  }

  private static double mean(List<Double> xs) {
    return xs.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
  }

  @Test
  void trainingWithDropoutAndLayerNormsLowersTheLoss() {
    Run run = train(Map.of("dropout", 0.1, "train_layer_norms", true, "target_modules",
        LoraConfig.ALL_LINEAR_TARGETS), 20, 1);
    double first = mean(run.losses().subList(0, 4));
    double last = mean(run.losses().subList(16, 20));
    System.out.printf("lora training loss: first 4 steps %.4f, last 4 steps %.4f%n", first, last);
    assertThat(last).isLessThan(first * 0.8);
    // B left zero, and the layer norms left the checkpoint.
    assertThat(run.after().get("encoder.block.0.layer.0.SelfAttention.q.lora_B.weight")).isNotEqualTo(
        run.before().get("encoder.block.0.layer.0.SelfAttention.q.lora_B.weight"));
    assertThat(run.after().get("decoder.final_layer_norm.weight")).isNotEqualTo(
        run.before().get("decoder.final_layer_norm.weight"));
  }

  @Test
  void aMergedGraphTrainsLikeTheBranch() {
    // W + s B A is the same function of A and B as the separate branch, core's dropout masks depend only on
    // the seed and call order, and A's init only on the seed and key: the two runs take the same steps.
    Run branch = train(Map.of(), 3, 1);
    Run merged = train(Map.of("merge", true), 3, 1);
    for (int i = 0; i < 3; i++) {
      assertThat(merged.losses().get(i)).isCloseTo(branch.losses().get(i), within(1e-4));
    }
    double worst = 0;
    for (String key : branch.after().keySet()) {
      worst = Math.max(worst, LoraTestKit.maxAbsDiff(merged.after().get(key), branch.after().get(key)));
    }
    System.out.printf("merged vs branch training: parameters max abs difference after 3 steps %.3g%n", worst);
    assertThat(worst).isLessThan(1e-4);
    assertThat(merged.after().get("decoder.block.0.layer.0.SelfAttention.v.lora_B.weight")).isNotEqualTo(
        merged.before().get("decoder.block.0.layer.0.SelfAttention.v.lora_B.weight"));
  }

  @Test
  void multiTaskTrainingUpdatesOnlyTheTasksOwnSlot() {
    // Every example is task 0 of 2: gradients reach slot 0 through the gathered batched matmul, slot 1 stays.
    Run run = train(Map.of(), 3, 2);
    String key = "decoder.block.1.layer.1.EncDecAttention.v.lora_B.weight";
    float[] before = run.before().get(key);
    float[] after = run.after().get(key);
    int half = before.length / 2;
    assertThat(Arrays.copyOfRange(after, 0, half)).isNotEqualTo(Arrays.copyOfRange(before, 0, half));
    assertThat(Arrays.copyOfRange(after, half, after.length)).containsOnly(0f);
    String a = "encoder.block.0.layer.0.SelfAttention.q.lora_A.weight";
    int halfA = run.after().get(a).length / 2;
    assertThat(Arrays.copyOfRange(run.after().get(a), 0, halfA))
        .isNotEqualTo(Arrays.copyOfRange(run.before().get(a), 0, halfA));
    assertThat(Arrays.copyOfRange(run.after().get(a), halfA, 2 * halfA))
        .containsExactly(Arrays.copyOfRange(run.before().get(a), halfA, 2 * halfA));
  }
}
