package io.tfew.peft.baselines;

import static io.tfew.peft.baselines.BaselinesTestKit.NAME;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tfew.api.config.ConfigException;
import io.tfew.core.adapter.AdapterDirectory;
import io.tfew.core.checkpoint.SafetensorsReader;
import io.tfew.core.testing.ParityModel;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Full fine-tuning: every base weight declared, trained, saved and reloaded. */
class FullTest {
  @TempDir
  Path tmp;

  @Test
  void declaresEveryBaseWeightAndLeavesTheModelUnchanged() {
    try (ParityModel h = new ParityModel("t5-tiny", BaselinesTestKit.create("full", Map.of()))) {
      assertThat(h.graph.parameters().declaredBy(NAME).keySet())
          .containsExactlyInAnyOrderElementsOf(h.graph.parameters().baseWeightKeys());
    }
    BaselinesTestKit.assertBaseScores("t0-tiny", BaselinesTestKit.create("full", Map.of()));
    BaselinesTestKit.assertBaseScores("t5-tiny", BaselinesTestKit.create("full", Map.of()));
  }

  @Test
  void trainingChangesTheWeightsWhichTheAdapterSavesAndAFreshModelReproduces() {
    Path adapter = tmp.resolve("adapter");
    var trained = BaselinesTestKit.train("t0-tiny", "full", Map.of(),
        20, 0.01, adapter);
    System.out.println("full losses " + trained.losses());
    assertThat(trained.meanLoss(16, 20)).isLessThan(trained.meanLoss(0, 4));
    for (String norm : new String[] {"encoder.block.0.layer.0.layer_norm.weight", "decoder.final_layer_norm.weight",
        "decoder.block.1.layer.1.EncDecAttention.v.weight"}) {
      assertThat(trained.after().get(norm)).as(norm).isNotEqualTo(trained.before().get(norm));
    }
    try (SafetensorsReader r = SafetensorsReader.open(adapter.resolve(AdapterDirectory.WEIGHTS_FILE))) {
      assertThat(r.tensors().keySet()).containsExactlyInAnyOrderElementsOf(trained.after().keySet());
    }
    float[] reloaded = BaselinesTestKit.reloadedScores("t0-tiny", "full", adapter);
    assertThat(BaselinesTestKit.maxAbsDiff(reloaded, trained.scores())).isLessThan(1e-5);
  }

  @Test
  void t03bCountIsEveryWeightOfTheModel() {
    // The paper gives no count for full fine-tuning (it is "all" 3B). Ours: 2,849,757,184, i.e. T0-3B's
    // tied-vocab-sized shared embedding and its separate lm_head (32128 x 2048 each, 65.8M apiece), 48
    // blocks of attention and gated FFN, norms and the two relative-position tables.
    long d = 2048;
    long ff = 5120;
    long attn = 4 * d * d;
    long ffn = 3 * d * ff;
    long expected = 2 * 32128 * d + 24 * (attn + ffn + 2 * d) + 24 * (2 * attn + ffn + 3 * d) + 2 * d
        + 2 * 32 * 32;
    var declared = BaselinesTestKit.t03bDeclared(BaselinesTestKit.create("full", Map.of()));
    assertThat(BaselinesTestKit.count(declared)).isEqualTo(expected).isEqualTo(2_849_757_184L);
  }

  @Test
  void takesNoOptions() {
    assertThatThrownBy(() -> BaselinesTestKit.create("full", Map.of("lr", 1.0)))
        .isInstanceOf(ConfigException.class).hasMessageContaining("unknown key");
  }
}
