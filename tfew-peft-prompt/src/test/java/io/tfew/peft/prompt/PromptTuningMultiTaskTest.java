package io.tfew.peft.prompt;

import static org.assertj.core.api.Assertions.assertThat;

import io.tfew.core.checkpoint.Checkpoint;
import io.tfew.core.model.SiteRewrites;
import io.tfew.core.model.T5Config;
import io.tfew.core.runtime.ModelGraph;
import io.tfew.core.score.EncodedExample;
import io.tfew.core.score.RankScorer;
import io.tfew.core.score.RankScoringGraph;
import io.tfew.core.testing.ExpectedTensors;
import io.tfew.core.testing.SharedFixtures;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.tensorflow.Session;

/**
 * Two prompt slots in one graph ({@code prompt_embeddings [2, 2N, d]}, encoder and decoder prompts): each batch
 * row takes its task's prompt, so a mixed batch scores every example as a batch of its task alone would, and
 * {@link PromptEnsemble} can score several prompts in one batch.
 */
class PromptTuningMultiTaskTest {
  private static final Path DIR = SharedFixtures.path("fixtures/t5-parity/t0-tiny");

  @Test
  void mixedBatchEqualsSeparateRunsAndEnsembleMeanEqualsMeanOfRuns() {
    try (ExpectedTensors e = new ExpectedTensors(DIR.resolve("expected.safetensors"));
        ModelGraph graph = new ModelGraph(T5Config.read(DIR.resolve("config.json")), new SiteRewrites(List.of(
            new SiteRewrites.Active("prompt", PromptTestKit.create("prompt_tuning",
                Map.of("num_virtual_tokens", 5, "decoder", true, "init", "random"))))), false, 2, 0L)) {
      RankScoringGraph rank = RankScoringGraph.build(graph.ops(), graph.model());
      assertThat(graph.parameters().declaredBy("prompt").get("prompt_embeddings").shape()).containsExactly(2, 10, 48);
      try (Session session = graph.startSession()) {
        try (Checkpoint c = Checkpoint.open(DIR)) {
          graph.weights().load(session, c, n -> { });
        }
        graph.parameters().initializeFromBase(session);
        float[] p0 = prompt(e.floats("prompt_embeddings"), 1);
        float[] p1 = prompt(e.floats("prompt_embeddings"), 2);
        graph.parameters().assign(session, "prompt_embeddings", PromptEnsemble.stack(List.of(p0, p1)));
        RankScorer scorer = new RankScorer(session, rank, 0);
        List<EncodedExample> examples = PromptTestKit.fixtureExamples(e);
        double[][] task0 = PromptTestKit.means(scorer.scoreBatch(PromptTestKit.withTasks(examples, 0, 0, 0)));
        double[][] task1 = PromptTestKit.means(scorer.scoreBatch(PromptTestKit.withTasks(examples, 1, 1, 1)));
        assertThat(PromptTestKit.maxAbsDiff(task0, task1)).isGreaterThan(1e-3);
        double worst = 0;
        for (int[] tasks : new int[][] {{0, 1, 0}, {1, 0, 1}, {1, 1, 0}}) {
          double[][] mixed = PromptTestKit.means(scorer.scoreBatch(PromptTestKit.withTasks(examples, tasks)));
          for (int i = 0; i < examples.size(); i++) {
            worst = Math.max(worst, PromptTestKit.maxAbsDiff(new double[][] {mixed[i]},
                new double[][] {(tasks[i] == 0 ? task0 : task1)[i]}));
          }
        }
        System.out.printf("prompt_tuning multi-task mixed vs separate max abs difference %.3g%n", worst);
        assertThat(worst).isLessThan(1e-5);

        // Ensemble: every example twice, with prompt 0 and prompt 1, in one batch.
        int[] slots = PromptEnsemble.slots(examples.size(), 2);
        List<EncodedExample> expanded = new ArrayList<>();
        for (int r = 0; r < slots.length; r++) {
          EncodedExample x = examples.get(r / 2);
          expanded.add(new EncodedExample(x.inputIds(), x.choiceIds(), x.label(), slots[r]));
        }
        double[][] rows = PromptTestKit.means(scorer.scoreBatch(expanded));
        double[][] mean = PromptEnsemble.combine(rows, 2, PromptEnsemble.Combine.MEAN);
        double ensembleErr = 0;
        for (int i = 0; i < examples.size(); i++) {
          for (int c = 0; c < mean[i].length; c++) {
            ensembleErr = Math.max(ensembleErr, Math.abs(mean[i][c] - (task0[i][c] + task1[i][c]) / 2));
          }
        }
        assertThat(ensembleErr).isLessThan(1e-5);
        assertThat(PromptEnsemble.predict(rows, 2, PromptEnsemble.Combine.VOTE)).hasSize(examples.size());
      }
    }
  }

  /** Encoder rows from the fixture (scaled), decoder rows random: [2N, d]. */
  private static float[] prompt(float[] encoder, float scale) {
    float[] out = new float[encoder.length * 2];
    SplittableRandom r = new SplittableRandom((long) scale);
    for (int i = 0; i < encoder.length; i++) {
      out[i] = encoder[i] * scale;
      out[encoder.length + i] = (float) r.nextDouble(-1, 1);
    }
    return out;
  }
}
