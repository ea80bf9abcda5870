package io.tfew.peft.ia3;

import static io.tfew.peft.ia3.Ia3TestKit.TOLERANCE;
import static org.assertj.core.api.Assertions.assertThat;

import io.tfew.api.peft.PeftMethod;
import io.tfew.core.score.ChoiceScores;
import io.tfew.core.score.RankScorer;
import io.tfew.core.testing.ExpectedTensors;
import io.tfew.core.testing.ParityModel;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The plugin, created through the registry as YAML would, against the PyTorch reference of
 * fixtures/t5-parity: with the fixture's vectors the rank scores equal
 * {@code ia3_choice_scores_mean_logprob}; at init (all ones) they equal the base model's.
 */
class Ia3ParityTest {
  @TempDir
  Path tmp;

  @ParameterizedTest
  @ValueSource(strings = {"t0-tiny", "t5-tiny"})
  void fixtureVectorsFromAPeftFileReproduceTheReferenceScores(String fixture) {
    try (ExpectedTensors e = Ia3TestKit.expected(fixture)) {
      Path file = Ia3TestKit.writePeftVectors(e, tmp.resolve("adapter_model.safetensors"));
      Ia3Method method = (Ia3Method) Ia3TestKit.create(Map.of("init", file.toString()));
      try (ParityModel h = new ParityModel(fixture, method)) {
        // Every fixture vector became a parameter, and nothing else did.
        assertThat(method.declaredKeys().values()).containsExactlyInAnyOrderElementsOf(Ia3TestKit.ia3Modules(e));
        float[] actual = Ia3TestKit.means(score(h));
        double err = Ia3TestKit.maxAbsDiff(actual, e.floats("ia3_choice_scores_mean_logprob"));
        System.out.printf("%s ia3 scores max abs error %.3g%n", fixture, err);
        assertThat(err).as("ia3_choice_scores_mean_logprob max abs error").isLessThan(TOLERANCE);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"t0-tiny", "t5-tiny"})
  void atInitTheVectorsAreOnesAndTheModelIsUnchanged(String fixture) {
    PeftMethod method = Ia3TestKit.create(Map.of());
    try (ParityModel h = new ParityModel(fixture, method)) {
      assertThat(h.graph.rewrites().touched().get("fixture0")).isNotEmpty();
      for (String key : h.graph.parameters().declaredBy("fixture0").keySet()) {
        assertThat(h.graph.parameters().read(h.session, key)).containsOnly(1f);
      }
      float[] actual = Ia3TestKit.means(score(h));
      double err = Ia3TestKit.maxAbsDiff(actual, h.expected().floats("choice_scores_mean_logprob"));
      System.out.printf("%s ia3-at-init scores max abs error %.3g%n", fixture, err);
      assertThat(err).as("choice_scores_mean_logprob max abs error").isLessThan(TOLERANCE);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"t0-tiny", "t5-tiny"})
  void declaresPeftShapedVectorsAtKeyValueAndFfnSites(String fixture) {
    try (ParityModel h = new ParityModel(fixture, Ia3TestKit.create(Map.of()))) {
      var declared = h.graph.parameters().declaredBy("fixture0");
      int inner = h.graph.config().dims().numHeads() * h.graph.config().dims().dKv();
      int dFf = h.graph.config().dims().dFf();
      int enc = h.graph.config().dims().numEncoderLayers();
      int dec = h.graph.config().dims().numDecoderLayers();
      assertThat(declared).hasSize(3 * enc + 5 * dec);
      declared.values().forEach(d -> {
        if (d.key().endsWith(".wo.ia3_l")) {
          assertThat(d.shape()).as(d.key()).containsExactly(1, dFf);
        } else {
          assertThat(d.key()).matches(".*(SelfAttention|EncDecAttention)\\.(k|v)\\.ia3_l");
          assertThat(d.shape()).as(d.key()).containsExactly(inner, 1);
        }
      });
      assertThat(declared).containsKeys("encoder.block.0.layer.1.DenseReluDense.wo.ia3_l",
          "decoder.block.0.layer.1.EncDecAttention.v.ia3_l", "decoder.block.0.layer.2.DenseReluDense.wo.ia3_l");
    }
  }

  static List<ChoiceScores> score(ParityModel h) {
    return new RankScorer(h.session, h.rank, 0).scoreBatch(Ia3TestKit.fixtureExamples(h.expected()));
  }
}
