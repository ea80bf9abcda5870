package io.tfew.peft.baselines;

import static io.tfew.peft.baselines.BaselinesTestKit.NAME;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tfew.api.config.ConfigException;
import io.tfew.api.peft.UpdateRule;
import io.tfew.core.adapter.AdapterDirectory;
import io.tfew.core.checkpoint.SafetensorsReader;
import io.tfew.core.testing.ParityModel;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** LOMO: the weights of full fine-tuning, trained by fused SGD, saved and reloaded like {@code full}'s. */
class LomoTest {
  @TempDir
  Path tmp;

  @Test
  void declaresEveryBaseWeightAsksForFusedSgdAndLeavesTheModelUnchanged() {
    try (ParityModel h = new ParityModel("t0-tiny", BaselinesTestKit.create("lomo", Map.of()))) {
      assertThat(h.graph.parameters().declaredBy(NAME).keySet())
          .containsExactlyInAnyOrderElementsOf(h.graph.parameters().baseWeightKeys());
    }
    assertThat(BaselinesTestKit.create("lomo", Map.of()).updateRule()).isEqualTo(UpdateRule.FUSED_SGD);
    assertThat(BaselinesTestKit.create("full", Map.of()).updateRule()).isEqualTo(UpdateRule.CONFIGURED_OPTIMIZER);
    BaselinesTestKit.assertBaseScores("t0-tiny", BaselinesTestKit.create("lomo", Map.of()));
  }

  @Test
  void fusedSgdLowersTheLossAndTheSavedWeightsReproduceTheScores() {
    Path adapter = tmp.resolve("adapter");
    var trained = BaselinesTestKit.train("t0-tiny", "lomo", Map.of(), 20, 0.5, adapter);
    System.out.println("lomo losses " + trained.losses());
    assertThat(trained.meanLoss(16, 20)).isLessThan(trained.meanLoss(0, 4));
    for (String key : new String[] {"shared.weight", "encoder.block.0.layer.0.layer_norm.weight",
        "decoder.block.1.layer.1.EncDecAttention.v.weight", "lm_head.weight"}) {
      assertThat(trained.after().get(key)).as(key).isNotEqualTo(trained.before().get(key));
    }
    try (SafetensorsReader r = SafetensorsReader.open(adapter.resolve(AdapterDirectory.WEIGHTS_FILE))) {
      assertThat(r.tensors().keySet()).containsExactlyInAnyOrderElementsOf(trained.after().keySet());
    }
    float[] reloaded = BaselinesTestKit.reloadedScores("t0-tiny", "lomo", adapter);
    assertThat(BaselinesTestKit.maxAbsDiff(reloaded, trained.scores())).isLessThan(1e-5);
  }

  @Test
  void takesNoOptions() {
    assertThatThrownBy(() -> BaselinesTestKit.create("lomo", Map.of("lr", 1.0)))
        .isInstanceOf(ConfigException.class).hasMessageContaining("unknown key");
  }
}
