package io.tfew.peft.prompt;

import static org.assertj.core.api.Assertions.assertThat;

import io.tfew.core.model.SiteRewrites;
import io.tfew.core.model.T5Config;
import io.tfew.core.runtime.ModelGraph;
import io.tfew.core.score.RankScoringGraph;
import io.tfew.core.testing.SharedFixtures;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Trainable parameters on T0-3B's architecture (d_model 2048). T-Few's Table 4 reports prompt tuning with 10
 * and 100 tokens as 41K and 409K: that is 2 x N x 2048, an encoder and a decoder prompt (T-Few's
 * {@code prompt_tuning_decoder} defaults to true), which is {@code decoder: true} here. Encoder-only prompts
 * are half of it.
 */
class PromptTuningT03bTest {
  @ParameterizedTest
  @CsvSource({"10, true, 40960", "100, true, 409600", "10, false, 20480"})
  void countsMatchT_FewsTable4(int tokens, boolean decoder, long expected) {
    T5Config config = T5Config.read(SharedFixtures.path("fixtures/configs/t0-3b/config.json"));
    try (ModelGraph graph = new ModelGraph(config, new SiteRewrites(List.of(new SiteRewrites.Active("prompt",
        PromptTestKit.create("prompt_tuning", Map.of("num_virtual_tokens", tokens, "decoder", decoder))))),
        false, 1, 0L)) {
      RankScoringGraph.build(graph.ops(), graph.model());
      graph.rewrites().requireEveryMethodTouchedASite(graph.parameters());
      assertThat(graph.parameters().count()).isEqualTo(expected);
      assertThat(graph.parameters().declaredBy("prompt").get("prompt_embeddings").shape())
          .containsExactly(tokens * (decoder ? 2 : 1), 2048);
    }
  }
}
