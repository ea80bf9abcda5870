package io.tfew.peft.ia3;

import static org.assertj.core.api.Assertions.assertThat;

import io.tfew.core.checkpoint.Checkpoint;
import io.tfew.core.model.SiteRewrites;
import io.tfew.core.model.T5Config;
import io.tfew.core.model.TrainableParameters;
import io.tfew.core.runtime.ModelGraph;
import io.tfew.core.score.ChoiceScores;
import io.tfew.core.score.EncodedExample;
import io.tfew.core.score.RankScorer;
import io.tfew.core.score.RankScoringGraph;
import io.tfew.core.testing.ExpectedTensors;
import io.tfew.core.testing.SharedFixtures;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Session;

/**
 * Two task slots in one graph: every vector is {@code [2, n]} and each row of a batch is rescaled by its own
 * task's row, so a mixed batch scores each example as a batch of its task alone would.
 */
class Ia3MultiTaskTest {
  private static final String FIXTURE = "t0-tiny";

  @TempDir
  Path tmp;

  @Test
  void mixedBatchScoresEachExampleWithItsOwnTasksVectors() {
    Path dir = SharedFixtures.path("fixtures/t5-parity/" + FIXTURE);
    Ia3Method method = (Ia3Method) Ia3TestKit.create(Map.of());
    try (ExpectedTensors e = Ia3TestKit.expected(FIXTURE);
        ModelGraph graph = new ModelGraph(T5Config.read(dir.resolve("config.json")),
            new SiteRewrites(List.of(new SiteRewrites.Active("ia3", method))), false, 2, 0L)) {
      RankScoringGraph rank = RankScoringGraph.build(graph.ops(), graph.model());
      try (Session session = graph.startSession()) {
        try (Checkpoint checkpoint = Checkpoint.open(dir)) {
          graph.weights().load(session, checkpoint, loaded -> { });
        }
        // Task 0: the fixture's vectors; task 1: ones (the base model).
        for (TrainableParameters.Declared d : graph.parameters().declaredBy("ia3").values()) {
          float[] v = e.floats("ia3." + method.declaredKeys().get(d.key()));
          assertThat(d.shape()).containsExactly(2, v.length);
          float[] both = new float[2 * v.length];
          System.arraycopy(v, 0, both, 0, v.length);
          Arrays.fill(both, v.length, both.length, 1f);
          graph.parameters().assign(session, d.key(), both);
        }
        RankScorer scorer = new RankScorer(session, rank, 0);
        List<EncodedExample> examples = Ia3TestKit.fixtureExamples(e);
        List<ChoiceScores> task0 = scorer.scoreBatch(withTasks(examples, 0, 0, 0));
        List<ChoiceScores> task1 = scorer.scoreBatch(withTasks(examples, 1, 1, 1));
        // The separate runs are the reference's (IA)^3 and base scores.
        assertThat(Ia3TestKit.maxAbsDiff(Ia3TestKit.means(task0), e.floats("ia3_choice_scores_mean_logprob")))
            .isLessThan(Ia3TestKit.TOLERANCE);
        assertThat(Ia3TestKit.maxAbsDiff(Ia3TestKit.means(task1), e.floats("choice_scores_mean_logprob")))
            .isLessThan(Ia3TestKit.TOLERANCE);
        double worst = 0;
        for (int[] tasks : new int[][] {{0, 1, 0}, {1, 0, 1}, {1, 1, 0}}) {
          List<ChoiceScores> mixed = scorer.scoreBatch(withTasks(examples, tasks));
          for (int i = 0; i < examples.size(); i++) {
            double[] alone = (tasks[i] == 0 ? task0 : task1).get(i).mean();
            for (int c = 0; c < alone.length; c++) {
              worst = Math.max(worst, Math.abs(mixed.get(i).mean()[c] - alone[c]));
            }
          }
        }
        System.out.printf("multi-task mixed vs separate max abs difference %.3g%n", worst);
        assertThat(worst).isLessThan(1e-5);
      }
    }
  }

  @Test
  void pretrainedVectorsStartEveryTaskSlot() {
    Path dir = SharedFixtures.path("fixtures/t5-parity/" + FIXTURE);
    try (ExpectedTensors e = Ia3TestKit.expected(FIXTURE)) {
      Path file = Ia3TestKit.writePeftVectors(e, tmp.resolve("v.safetensors"));
      Ia3Method method = (Ia3Method) Ia3TestKit.create(Map.of("init", file.toString()));
      try (ModelGraph graph = new ModelGraph(T5Config.read(dir.resolve("config.json")),
          new SiteRewrites(List.of(new SiteRewrites.Active("ia3", method))), false, 3, 0L)) {
        RankScoringGraph.build(graph.ops(), graph.model());
        for (TrainableParameters.Declared d : graph.parameters().declaredBy("ia3").values()) {
          float[] v = e.floats("ia3." + method.declaredKeys().get(d.key()));
          float[] got = new float[(int) d.size()];
          d.init().fill(got, d.shape(), new SplittableRandom(1));
          for (int t = 0; t < 3; t++) {
            assertThat(Arrays.copyOfRange(got, t * v.length, (t + 1) * v.length)).as(d.key()).containsExactly(v);
          }
        }
      }
    }
  }

  private static List<EncodedExample> withTasks(List<EncodedExample> examples, int... tasks) {
    List<EncodedExample> out = new ArrayList<>();
    for (int i = 0; i < examples.size(); i++) {
      EncodedExample x = examples.get(i);
      out.add(new EncodedExample(x.inputIds(), x.choiceIds(), x.label(), tasks[i]));
    }
    return out;
  }
}
