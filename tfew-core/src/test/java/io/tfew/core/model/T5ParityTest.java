package io.tfew.core.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.tfew.core.score.ChoiceScores;
import io.tfew.core.score.EncodedExample;
import io.tfew.core.score.RankScorer;
import io.tfew.core.testing.FixtureBatch;
import io.tfew.core.testing.ExpectedTensors;
import io.tfew.core.testing.ParityModel;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tensorflow.Result;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * The T5 graph against the independent PyTorch reference in fixtures/t5-parity: every
 * quantity within max abs error 1e-4 in float32.
 */
class T5ParityTest {
  private static final double TOLERANCE = 1e-4;

  @ParameterizedTest
  @ValueSource(strings = {"t0-tiny", "t5-tiny"})
  void encoderOutputMatchesReference(String fixture) {
    try (ParityModel h = new ParityModel(fixture);
        TInt32 ids = h.ints("input_ids"); TFloat32 mask = h.floatsOfInts("attention_mask");
        TInt32 tasks = h.zeroTasks();
        Result r = h.session.runner().feed(h.rank.inputIds, ids).feed(h.rank.inputMask, mask)
            .feed(h.rank.taskIds, tasks).fetch(h.rank.encoderHidden).run()) {
      assertClose(ParityModel.read(r, 0), h.expected().floats("encoder_hidden"), "encoder_hidden");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"t0-tiny", "t5-tiny"})
  void teacherForcedLogitsAndLossMatchReference(String fixture) {
    try (ParityModel h = new ParityModel(fixture)) {
      float[][] out = h.teacherForced();
      assertClose(out[0], h.expected().floats("logits"), "logits");
      assertClose(out[1], h.expected().floats("loss_lm_teacher_forced"), "loss_lm_teacher_forced");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"t0-tiny", "t5-tiny"})
  void choiceTokenLogProbsAndScoresMatchReference(String fixture) {
    try (ParityModel h = new ParityModel(fixture)) {
      List<ChoiceScores> scores = scoreFixtureBatch(h);
      assertTokenLogProbs(scores, h.expected(), "choice_token_logprobs");
      assertClose(means(scores), h.expected().floats("choice_scores_mean_logprob"), "choice_scores_mean_logprob");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"t0-tiny", "t5-tiny"})
  void scoresDoNotDependOnBatchComposition(String fixture) {
    try (ParityModel h = new ParityModel(fixture)) {
      List<EncodedExample> examples = fixtureExamples(h.expected());
      RankScorer scorer = new RankScorer(h.session, h.rank, 0);
      List<ChoiceScores> together = scorer.score(examples, 3, n -> { });
      List<ChoiceScores> alone = scorer.score(examples, 1, n -> { });
      for (int i = 0; i < examples.size(); i++) {
        assertThat(alone.get(i).mean()).containsExactly(together.get(i).mean(),
            org.assertj.core.data.Offset.offset(1e-5));
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"t0-tiny", "t5-tiny"})
  void greedyDecodingMatchesReference(String fixture) {
    try (ParityModel h = new ParityModel(fixture)) {
      int[][] inputs = unpad(h.expected().intRows("input_ids"), h.expected().intRows("attention_mask"));
      int[][] expected = h.expected().intRows("greedy_8");
      int[][] actual = h.greedy.decode(h.session, inputs, new int[inputs.length], expected[0].length - 1);
      assertThat(actual).isDeepEqualTo(expected);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"t0-tiny", "t5-tiny"})
  void ia3AtTheKeyValueAndFfnSitesMatchesReference(String fixture) {
    try (ExpectedTensors e = expectedOf(fixture);
        ParityModel h = new ParityModel(fixture, FixtureRewriters.ia3(e))) {
      assertThat(h.graph.rewrites().touched().get("fixture0")).isNotEmpty();
      List<ChoiceScores> scores = scoreFixtureBatch(h);
      assertClose(means(scores), e.floats("ia3_choice_scores_mean_logprob"), "ia3_choice_scores_mean_logprob");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"t0-tiny", "t5-tiny"})
  void loraAtTheQueryAndValueSitesMatchesReference(String fixture) {
    try (ExpectedTensors e = expectedOf(fixture);
        ParityModel h = new ParityModel(fixture, FixtureRewriters.lora(e))) {
      assertClose(h.teacherForced()[0], e.floats("lora_logits"), "lora_logits");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"t0-tiny", "t5-tiny"})
  void softPromptAtTheEncoderEmbeddingsMatchesReference(String fixture) {
    try (ExpectedTensors e = expectedOf(fixture);
        ParityModel h = new ParityModel(fixture, FixtureRewriters.softPrompt(e))) {
      assertClose(h.teacherForced()[0], e.floats("prompt_logits"), "prompt_logits");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"t0-tiny"})
  void rewritesComposeInConfiguredOrder(String fixture) {
    // (IA)^3 and a soft prompt in one model: both touch their sites, and the result differs from each alone.
    try (ExpectedTensors e = expectedOf(fixture);
        ParityModel both = new ParityModel(fixture, FixtureRewriters.ia3(e), FixtureRewriters.softPrompt(e));
        ParityModel promptOnly = new ParityModel(fixture, FixtureRewriters.softPrompt(e))) {
      assertThat(both.graph.rewrites().touched().get("fixture0")).anyMatch(p -> p.endsWith("SelfAttention.k"));
      assertThat(both.graph.rewrites().touched().get("fixture1")).containsExactly("encoder.embed_tokens");
      float[] combined = both.teacherForced()[0];
      float[] prompt = promptOnly.teacherForced()[0];
      assertThat(maxAbsDiff(combined, prompt)).isGreaterThan(1e-3);
    }
  }

  private static ExpectedTensors expectedOf(String fixture) {
    return new ExpectedTensors(io.tfew.core.testing.SharedFixtures
        .path("fixtures/t5-parity/" + fixture + "/expected.safetensors"));
  }

  static List<EncodedExample> fixtureExamples(ExpectedTensors e) {
    return FixtureBatch.examples(e);
  }

  private static List<ChoiceScores> scoreFixtureBatch(ParityModel h) {
    return new RankScorer(h.session, h.rank, 0).scoreBatch(fixtureExamples(h.expected()));
  }

  private static int[][] unpad(int[][] ids, int[][] mask) {
    int[][] out = new int[ids.length][];
    for (int r = 0; r < ids.length; r++) {
      int n = 0;
      for (int m : mask[r]) {
        n += m;
      }
      out[r] = Arrays.copyOf(ids[r], n);
    }
    return out;
  }

  private static float[] means(List<ChoiceScores> scores) {
    return FixtureBatch.means(scores);
  }

  private static void assertTokenLogProbs(List<ChoiceScores> scores, ExpectedTensors e, String name) {
    long[] s = e.shape(name);
    float[] expected = e.floats(name);
    float[] actual = new float[expected.length];
    for (int b = 0; b < s[0]; b++) {
      for (int c = 0; c < s[1]; c++) {
        float[] t = scores.get(b).tokenLogProbs()[c];
        System.arraycopy(t, 0, actual, (int) ((b * s[1] + c) * s[2]), t.length);
      }
    }
    assertClose(actual, expected, name);
  }

  static double maxAbsDiff(float[] a, float[] b) {
    return FixtureBatch.maxAbsDiff(a, b);
  }

  static void assertClose(float[] actual, float[] expected, String what) {
    assertThat(actual).as(what + " element count").hasSize(expected.length);
    assertThat(maxAbsDiff(actual, expected)).as(what + " max abs error").isLessThan(TOLERANCE);
  }
}
