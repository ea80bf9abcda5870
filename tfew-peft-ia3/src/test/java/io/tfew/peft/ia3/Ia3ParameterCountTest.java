package io.tfew.peft.ia3;

import static org.assertj.core.api.Assertions.assertThat;

import io.tfew.core.model.SiteRewrites;
import io.tfew.core.model.T5Config;
import io.tfew.core.runtime.ModelGraph;
import io.tfew.core.score.RankScoringGraph;
import io.tfew.core.testing.SharedFixtures;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * T-Few's reported (IA)^3 size on T0-3B (d_model 2048, 32 heads x d_kv 64 = 2048, d_ff 5120 gated,
 * 24 + 24 blocks): encoder 24 (2048 + 2048 + 5120) + decoder 24 (4 x 2048 + 5120) = 540,672. Counted
 * on the graph alone: no session, no weights.
 */
class Ia3ParameterCountTest {

  @Test
  void t03bHasT_FewsParameterCount() {
    T5Config config = T5Config.read(SharedFixtures.path("fixtures/configs/t0-3b/config.json"));
    Ia3Method method = (Ia3Method) Ia3TestKit.create(Map.of());
    try (ModelGraph graph = new ModelGraph(config,
        new SiteRewrites(List.of(new SiteRewrites.Active("ia3", method))), false, 1, 0L)) {
      RankScoringGraph.build(graph.ops(), graph.model());
      assertThat(graph.parameters().count()).isEqualTo(540_672L);
      assertThat(graph.parameters().declaredBy("ia3")).hasSize(192);
    }
  }

  @Test
  void withoutFeedforwardOnlyAttentionVectorsAreCounted() {
    T5Config config = T5Config.read(SharedFixtures.path("fixtures/configs/t0-3b/config.json"));
    try (ModelGraph graph = new ModelGraph(config, new SiteRewrites(List.of(
        new SiteRewrites.Active("ia3", Ia3TestKit.create(Map.of("feedforward", false))))), false, 1, 0L)) {
      RankScoringGraph.build(graph.ops(), graph.model());
      assertThat(graph.parameters().count()).isEqualTo(24L * 2 * 2048 + 24L * 4 * 2048);
    }
  }
}
