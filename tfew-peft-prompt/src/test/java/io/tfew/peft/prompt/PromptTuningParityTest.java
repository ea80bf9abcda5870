package io.tfew.peft.prompt;

import static io.tfew.peft.prompt.PromptTestKit.NAME;
import static io.tfew.peft.prompt.PromptTestKit.TOLERANCE;
import static org.assertj.core.api.Assertions.assertThat;

import io.tfew.api.config.ConfigSection;
import io.tfew.api.peft.PeftMethod;
import io.tfew.core.adapter.AdapterDirectory;
import io.tfew.core.plugin.PluginRegistry;
import io.tfew.core.testing.ExpectedTensors;
import io.tfew.core.testing.ParityModel;
import io.tfew.core.testing.SharedFixtures;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The plugin against the PyTorch reference of fixtures/t5-parity: the fixture's
 * {@code prompt_embeddings} [5, d_model], written as a PEFT PROMPT_TUNING adapter (one submodule) and loaded
 * through core's {@link AdapterDirectory}, reproduce {@code prompt_logits}.
 */
class PromptTuningParityTest {
  @TempDir
  Path tmp;

  @ParameterizedTest
  @ValueSource(strings = {"t0-tiny", "t5-tiny"})
  void peftAdapterWithTheFixturePromptReproducesPromptLogits(String fixture) throws IOException {
    try (ExpectedTensors e = new ExpectedTensors(
        SharedFixtures.path("fixtures/t5-parity/" + fixture + "/expected.safetensors"))) {
      Path dir = PromptTestKit.peftPromptDirectory(tmp.resolve(fixture), e.floats("prompt_embeddings"),
          e.shape("prompt_embeddings"), 5, 1);
      AdapterDirectory.Spec spec = AdapterDirectory.read(dir, PluginRegistry.discover());
      assertThat(spec.provider()).isInstanceOf(PromptTuningProvider.class);
      assertThat(spec.methodConfig()).containsEntry("decoder", false).containsEntry("num_virtual_tokens", 5);
      PeftMethod method = spec.provider().create(
          ConfigSection.validate("peft adapter", spec.provider().configFields(), spec.methodConfig()));
      try (ParityModel h = new ParityModel(fixture, method)) {
        assertThat(h.graph.rewrites().touched().get(NAME)).containsExactly("encoder.embed_tokens");
        AdapterDirectory.load(dir, NAME, method, h.graph.parameters(), h.session);
        float[] logits = h.teacherForced()[0];
        double err = PromptTestKit.maxAbsDiff(logits, e.floats("prompt_logits"));
        System.out.printf("%s prompt_tuning prompt_logits max abs error %.3g%n", fixture, err);
        assertThat(err).as("prompt_logits max abs error").isLessThan(TOLERANCE);
      }
    }
  }

  @Test
  void peftTwoSubmoduleFileKeepsPeftSemantics() throws IOException {
    // PEFT >= 0.4 stores 2N rows for T5 but prepends only the first N: the decoder rows must not change scores.
    try (ExpectedTensors e = new ExpectedTensors(
        SharedFixtures.path("fixtures/t5-parity/t0-tiny/expected.safetensors"))) {
      float[] enc = e.floats("prompt_embeddings");
      float[] both = new float[enc.length * 2];
      System.arraycopy(enc, 0, both, 0, enc.length);
      java.util.Arrays.fill(both, enc.length, both.length, 3f);
      long[] shape = e.shape("prompt_embeddings");
      Path dir = PromptTestKit.peftPromptDirectory(tmp.resolve("two"), both, new long[] {2 * shape[0], shape[1]}, 5, 2);
      AdapterDirectory.Spec spec = AdapterDirectory.read(dir, PluginRegistry.discover());
      assertThat(spec.methodConfig()).containsEntry("unused_decoder_rows", true).containsEntry("decoder", false);
      PeftMethod method = spec.provider().create(
          ConfigSection.validate("peft adapter", spec.provider().configFields(), spec.methodConfig()));
      try (ParityModel h = new ParityModel("t0-tiny", method)) {
        AdapterDirectory.load(dir, NAME, method, h.graph.parameters(), h.session);
        double err = PromptTestKit.maxAbsDiff(h.teacherForced()[0], e.floats("prompt_logits"));
        assertThat(err).isLessThan(TOLERANCE);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"t0-tiny", "t5-tiny"})
  void decoderPromptKeepsLogitShapeAndChangesThem(String fixture) {
    try (ParityModel h = new ParityModel(fixture, PromptTestKit.create("prompt_tuning",
        Map.of("num_virtual_tokens", 4, "decoder", true)))) {
      assertThat(h.graph.rewrites().touched().get(NAME))
          .containsExactlyInAnyOrder("encoder.embed_tokens", "decoder.embed_tokens");
      int d = h.graph.config().dModel();
      assertThat(h.graph.parameters().declaredBy(NAME).get("prompt_embeddings").shape()).containsExactly(8, d);
      float[] logits = h.teacherForced()[0];
      float[] base = h.expected().floats("logits");
      assertThat(logits).hasSameSizeAs(base);
      for (float v : logits) {
        assertThat(Float.isFinite(v)).isTrue();
      }
      assertThat(PromptTestKit.maxAbsDiff(logits, base)).isGreaterThan(1e-3);
      // The rank scorer's decoder rows are (example, choice) pairs: scores stay finite log-probabilities.
      double[][] scores = PromptTestKit.means(new io.tfew.core.score.RankScorer(h.session, h.rank, 0)
          .scoreBatch(PromptTestKit.fixtureExamples(h.expected())));
      for (double[] row : scores) {
        for (double s : row) {
          assertThat(s).isFinite().isNegative();
        }
      }
    }
  }
}
