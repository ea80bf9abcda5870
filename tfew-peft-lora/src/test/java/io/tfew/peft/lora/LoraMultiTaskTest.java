package io.tfew.peft.lora;

import static io.tfew.peft.lora.LoraTestKit.TOLERANCE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tfew.api.TfewException;
import io.tfew.core.checkpoint.Checkpoint;
import io.tfew.core.lm.TeacherForcedGraph;
import io.tfew.core.model.SiteRewrites;
import io.tfew.core.model.T5Config;
import io.tfew.core.model.TrainableParameters;
import io.tfew.core.runtime.ModelGraph;
import io.tfew.core.testing.ExpectedTensors;
import io.tfew.core.testing.SharedFixtures;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tensorflow.Session;

/**
 * Two task slots in one graph: A is {@code [2, r, in]}, B {@code [2, out, r]}, and each row gathers its own
 * task's pair, so a mixed batch gives each row the logits of a batch of its task alone.
 */
class LoraMultiTaskTest {

  @ParameterizedTest
  @ValueSource(strings = {"t0-tiny", "t5-tiny"})
  void mixedBatchGivesEachRowItsOwnTasksUpdate(String fixture) {
    Path dir = SharedFixtures.path("fixtures/t5-parity/" + fixture);
    LoraMethod method = LoraTestKit.create(Map.of());
    try (ExpectedTensors e = LoraTestKit.expected(fixture);
        ModelGraph graph = new ModelGraph(T5Config.read(dir.resolve("config.json")),
            new SiteRewrites(List.of(new SiteRewrites.Active("lora", method))), false, 2, 0L);
        LoraTestKit.ParityModelInputs in = new LoraTestKit.ParityModelInputs(e)) {
      TeacherForcedGraph lm = TeacherForcedGraph.build(graph.ops(), graph.model());
      try (Session session = graph.startSession()) {
        try (Checkpoint checkpoint = Checkpoint.open(dir)) {
          graph.weights().load(session, checkpoint, loaded -> { });
        }
        // Task 0: the fixture's matrices; task 1: the same A with B = 0 (the base model).
        for (TrainableParameters.Declared d : graph.parameters().declaredBy("lora").values()) {
          boolean isA = d.key().endsWith(LoraMethod.A_SUFFIX);
          String module = d.key().substring(0, d.key().length() - LoraMethod.A_SUFFIX.length());
          float[] v = e.floats((isA ? "lora_A." : "lora_B.") + module);
          assertThat(d.shape()).hasSize(3).startsWith(2);
          assertThat(d.shape()[1] * d.shape()[2]).isEqualTo(v.length);
          float[] both = Arrays.copyOf(v, 2 * v.length);
          if (isA) {
            System.arraycopy(v, 0, both, v.length, v.length);
          }
          graph.parameters().assign(session, d.key(), both);
        }
        float[] task0 = LoraTestKit.logits(session, lm, in, 0, 0, 0);
        float[] task1 = LoraTestKit.logits(session, lm, in, 1, 1, 1);
        assertThat(LoraTestKit.maxAbsDiff(task0, e.floats("lora_logits"))).isLessThan(TOLERANCE);
        assertThat(LoraTestKit.maxAbsDiff(task1, e.floats("logits"))).isLessThan(TOLERANCE);
        int perRow = task0.length / 3;
        double worst = 0;
        for (int[] tasks : new int[][] {{0, 1, 0}, {1, 0, 1}, {1, 1, 0}}) {
          float[] mixed = LoraTestKit.logits(session, lm, in, tasks);
          for (int i = 0; i < mixed.length; i++) {
            float alone = (tasks[i / perRow] == 0 ? task0 : task1)[i];
            worst = Math.max(worst, Math.abs(mixed[i] - alone));
          }
        }
        System.out.printf("%s lora multi-task mixed vs separate max abs difference %.3g%n", fixture, worst);
        assertThat(worst).isLessThan(1e-5);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"t0-tiny"})
  void aMergedWeightCannotServeSeveralTasks(String fixture) {
    Path dir = SharedFixtures.path("fixtures/t5-parity/" + fixture);
    LoraMethod method = LoraTestKit.create(Map.of("merge", true));
    try (ModelGraph graph = new ModelGraph(T5Config.read(dir.resolve("config.json")),
        new SiteRewrites(List.of(new SiteRewrites.Active("lora", method))), false, 2, 0L)) {
      assertThatThrownBy(() -> TeacherForcedGraph.build(graph.ops(), graph.model()))
          .isInstanceOf(TfewException.class).hasMessageContaining("merge: false for multi-task");
    }
  }
}
