package io.tfew.peft.baselines;

import static io.tfew.peft.baselines.BaselinesTestKit.NAME;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tfew.api.TfewException;
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

/** Bottleneck adapters: identity at init, training, round trip, T0-3B counts, options. */
class AdapterTest {
  @TempDir
  Path tmp;

  @ParameterizedTest
  @ValueSource(strings = {"t0-tiny", "t5-tiny"})
  void atInitTheAdaptedModelIsTheBaseModel(String fixture) {
    // Houlsby's placement too, so every adapter site is exercised; reduction 4 keeps a real bottleneck.
    Map<String, Object> all = Map.of("self_attention", true, "cross_attention", true, "reduction_factor", 4);
    try (ParityModel h = new ParityModel(fixture, BaselinesTestKit.create("adapter", all))) {
      var dims = h.graph.config().dims();
      var declared = h.graph.parameters().declaredBy(NAME);
      long adapters = declared.keySet().stream().filter(k -> k.endsWith(".adapter.down_proj.weight")).count();
      assertThat(adapters).isEqualTo(2L * dims.numEncoderLayers() + 3L * dims.numDecoderLayers());
      assertThat(declared.get("decoder.block.0.layer.1.adapter.down_proj.weight").shape())
          .containsExactly(dims.dModel() / 4, dims.dModel());
      assertThat(declared.get("decoder.block.0.layer.1.adapter.up_proj.weight").shape())
          .containsExactly(dims.dModel(), dims.dModel() / 4);
      assertThat(h.graph.parameters().read(h.session, "encoder.block.1.layer.1.adapter.down_proj.weight"))
          .isNotEqualTo(new float[dims.dModel() / 4 * dims.dModel()]);
    }
    BaselinesTestKit.assertBaseScores(fixture, BaselinesTestKit.create("adapter", all));
    BaselinesTestKit.assertBaseScores(fixture, BaselinesTestKit.create("adapter", Map.of()));
  }

  @Test
  void t_FewsPlacementIsOneAdapterPerBlockAfterTheFfn() {
    try (ParityModel h = new ParityModel("t0-tiny", BaselinesTestKit.create("adapter", Map.of()))) {
      var keys = h.graph.parameters().declaredBy(NAME).keySet();
      assertThat(keys.stream().filter(k -> k.contains(".adapter.")))
          .hasSize(4 * (2 + 3))
          .allMatch(k -> k.matches("(encoder\\.block\\.\\d+\\.layer\\.1|decoder\\.block\\.\\d+\\.layer\\.2)\\.adapter\\..*"));
      // d_model 48 / 32: a bottleneck of one unit.
      assertThat(h.graph.parameters().declaredBy(NAME).get("encoder.block.0.layer.1.adapter.down_proj.weight").shape())
          .containsExactly(1, 48);
    }
  }

  @Test
  void trainingLowersTheLossAndTheAdapterRoundTrips() {
    Path adapter = tmp.resolve("adapter");
    var trained = BaselinesTestKit.train("t0-tiny", "adapter", Map.of("reduction_factor", 4), 20, 0.05, adapter);
    System.out.println("adapter losses " + trained.losses());
    assertThat(trained.meanLoss(16, 20)).isLessThan(trained.meanLoss(0, 4));
    String up = "decoder.block.2.layer.2.adapter.up_proj.weight";
    assertThat(trained.after().get(up)).isNotEqualTo(trained.before().get(up));
    try (SafetensorsReader r = SafetensorsReader.open(adapter.resolve(AdapterDirectory.WEIGHTS_FILE))) {
      assertThat(r.tensors().keySet()).containsExactlyInAnyOrderElementsOf(trained.after().keySet())
          .contains(up, "encoder.final_layer_norm.weight");
    }
    float[] reloaded = BaselinesTestKit.reloadedScores("t0-tiny", "adapter", adapter);
    assertThat(BaselinesTestKit.maxAbsDiff(reloaded, trained.scores())).isLessThan(1e-5);
  }

  @Test
  void t03bCountIsThePapers12_9M() {
    // t-few's placement: 48 adapters (one per block, after the FFN) of 2048*64 + 64 + 64*2048 + 2048 =
    // 264,256 values = 12,684,288, plus the 249,856 layer-norm scales t-few also trains: 12,934,144, the
    // paper's "12.9M" (Table 4).
    assertThat(BaselinesTestKit.count(BaselinesTestKit.t03bDeclared(BaselinesTestKit.create("adapter", Map.of()))))
        .isEqualTo(12_934_144L);
    // Houlsby's placement (after every attention too) would be 120 adapters: 31,710,720 + 249,856.
    assertThat(BaselinesTestKit.count(BaselinesTestKit.t03bDeclared(BaselinesTestKit.create("adapter",
        Map.of("self_attention", true, "cross_attention", true))))).isEqualTo(120L * 264_256 + 249_856);
  }

  @Test
  void badOptionsAreConfigErrors() {
    assertThatThrownBy(() -> BaselinesTestKit.create("adapter", Map.of("reduction", 16)))
        .isInstanceOf(ConfigException.class).hasMessageContaining("reduction").hasMessageContaining("unknown key");
    assertThatThrownBy(() -> BaselinesTestKit.create("adapter", Map.of("reduction_factor", 0)))
        .isInstanceOf(ConfigException.class).hasMessageContaining("reduction_factor").hasMessageContaining(">= 1");
    assertThatThrownBy(() -> BaselinesTestKit.create("adapter", Map.of("reduction_factor", 1.5)))
        .isInstanceOf(ConfigException.class).hasMessageContaining("reduction_factor");
    assertThatThrownBy(() -> BaselinesTestKit.create("adapter", Map.of("init_std", -1)))
        .isInstanceOf(ConfigException.class).hasMessageContaining("init_std");
    assertThatThrownBy(() -> BaselinesTestKit.create("adapter", Map.of("feedforward", false)))
        .isInstanceOf(ConfigException.class).hasMessageContaining("no adapter would be inserted");
    // A factor larger than d_model leaves no bottleneck: caught when the graph is built.
    assertThatThrownBy(() -> new ParityModel("t0-tiny", BaselinesTestKit.create("adapter", Map.of("reduction_factor", 64))))
        .isInstanceOf(TfewException.class).hasMessageContaining("reduction_factor 64");
  }
}
