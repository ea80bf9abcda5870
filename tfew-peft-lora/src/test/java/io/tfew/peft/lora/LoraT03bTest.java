package io.tfew.peft.lora;

import static org.assertj.core.api.Assertions.assertThat;

import io.tfew.core.model.SiteRewrites;
import io.tfew.core.model.T5Config;
import io.tfew.core.model.TrainableParameters;
import io.tfew.core.runtime.ModelGraph;
import io.tfew.core.score.RankScoringGraph;
import io.tfew.core.testing.SharedFixtures;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Parameter counts on T0-3B's architecture (d_model 2048, 32 heads x d_kv 64 = 2048, d_ff 5120 gated,
 * 24 + 24 blocks). Only the graph is built (no weights, no session), so this is fast.
 */
class LoraT03bTest {

  private static ModelGraph graph(Map<String, ?> options) {
    T5Config config = T5Config.read(SharedFixtures.path("fixtures/configs/t0-3b/config.json"));
    ModelGraph g = new ModelGraph(config, new SiteRewrites(List.of(new SiteRewrites.Active("lora",
        LoraTestKit.create(options)))), false, 1, 0L);
    RankScoringGraph.build(g.ops(), g.model());
    return g;
  }

  /**
   * The T-Few paper's LoRA setting (Table 4: "LoRA ... 9.1M" updated parameters): rank 4 on every linear of
   * attention and FFN, plus the layer norms.
   *
   * <ul>
   *   <li>attention, per projection: r (2048 + 2048) = 16,384; encoder 4 per block, decoder 8 per block
   *   <li>FFN: wi_0, wi_1: r (2048 + 5120) = 28,672 each; wo: r (5120 + 2048) = 28,672
   *   <li>encoder block 4 x 16,384 + 3 x 28,672 = 151,552; decoder block 8 x 16,384 + 3 x 28,672 = 217,088
   *   <li>LoRA: 24 x 151,552 + 24 x 217,088 = 8,847,360
   *   <li>layer norms: (24 x 2 + 1) + (24 x 3 + 1) = 122 vectors of 2048 = 249,856
   * </ul>
   *
   * <p>Total 9,097,216, which the paper rounds to 9.1M: no difference to explain. lm_head is not an
   * attention or FFN linear and stays frozen; the relative-position biases are not layer norms.
   */
  @Test
  void theT_FewPaperSettingTrains9_1MParameters() {
    try (ModelGraph g = graph(Map.of("r", 4, "target_modules", LoraConfig.ALL_LINEAR_TARGETS,
        "train_layer_norms", true))) {
      Map<String, TrainableParameters.Declared> declared = g.parameters().declaredBy("lora");
      long norms = declared.keySet().stream().filter(k -> k.endsWith("layer_norm.weight")).count();
      assertThat(norms).isEqualTo(122);
      assertThat(declared).hasSize(2 * 24 * (7 + 11) + 122);
      assertThat(g.parameters().count()).isEqualTo(9_097_216L);
      g.rewrites().requireEveryMethodTouchedASite(g.parameters());
      // The default placement (q and v) is a subset: 144 modules (24 x 2 encoder, 24 x 4 decoder) x 4 x 4096,
      // hf-peft-format.md's r = 8 count (4,718,592) halved. Summed here rather than from a second 3B graph.
      long qv = declared.values().stream().filter(d -> d.key().matches(".*Attention\\.(q|v)\\.lora_[AB]\\.weight"))
          .mapToLong(TrainableParameters.Declared::size).sum();
      assertThat(qv).isEqualTo(144L * 4 * 4096).isEqualTo(2_359_296L);
    }
  }
}
