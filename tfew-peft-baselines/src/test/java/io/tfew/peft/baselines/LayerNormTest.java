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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Layer-norm tuning: declarations, training, the adapter file, and the T0-3B count. */
class LayerNormTest {
  @TempDir
  Path tmp;

  @ParameterizedTest
  @ValueSource(strings = {"t0-tiny", "t5-tiny"})
  void declaresEveryNormAndLeavesTheModelUnchanged(String fixture) {
    try (ParityModel h = new ParityModel(fixture, BaselinesTestKit.create("layernorm", Map.of()))) {
      var dims = h.graph.config().dims();
      // 2 per encoder block, 3 per decoder block, and the two final norms.
      assertThat(h.graph.parameters().declaredBy(NAME).keySet())
          .hasSize(2 * dims.numEncoderLayers() + 3 * dims.numDecoderLayers() + 2)
          .allMatch(k -> k.endsWith("layer_norm.weight"))
          .contains("encoder.final_layer_norm.weight", "decoder.block.0.layer.2.layer_norm.weight");
      // No site is changed; core accepts the method because it declared parameters.
      assertThat(h.graph.rewrites().touched().get(NAME)).isEmpty();
      h.graph.rewrites().requireEveryMethodTouchedASite(h.graph.parameters());
    }
    BaselinesTestKit.assertBaseScores(fixture, BaselinesTestKit.create("layernorm", Map.of()));
  }

  @Test
  void trainingChangesTheNormsWhichTheAdapterSavesAndAFreshModelReproduces() {
    Path adapter = tmp.resolve("adapter");
    var trained = BaselinesTestKit.train("t0-tiny", "layernorm", Map.of(),
        20, 0.05, adapter);
    System.out.println("layernorm losses " + trained.losses());
    assertThat(trained.meanLoss(16, 20)).isLessThan(trained.meanLoss(0, 4));
    trained.before().forEach((k, v) -> assertThat(trained.after().get(k)).as(k).isNotEqualTo(v));

    try (SafetensorsReader r = SafetensorsReader.open(adapter.resolve(AdapterDirectory.WEIGHTS_FILE))) {
      assertThat(r.tensors().keySet()).containsExactlyInAnyOrderElementsOf(trained.after().keySet());
      trained.after().forEach((k, v) -> assertThat(r.readFloats(k)).as(k).containsExactly(v));
    }
    float[] reloaded = BaselinesTestKit.reloadedScores("t0-tiny", "layernorm", adapter);
    assertThat(BaselinesTestKit.maxAbsDiff(reloaded, trained.scores())).isLessThan(1e-5);
  }

  @Test
  void t03bCountIsThePapers250K() {
    // 24 x 2 + 24 x 3 + 2 = 122 norms of 2048: 249,856, the paper's "250K" (Table 4).
    assertThat(BaselinesTestKit.count(BaselinesTestKit.t03bDeclared(BaselinesTestKit.create("layernorm", Map.of()))))
        .isEqualTo(249_856L);
  }

  @Test
  void takesNoOptions() {
    assertThatThrownBy(() -> BaselinesTestKit.create("layernorm", Map.of("r", 4)))
        .isInstanceOf(ConfigException.class).hasMessageContaining("r").hasMessageContaining("unknown key");
  }
}
