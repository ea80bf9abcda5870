package io.tfew.peft.baselines;

import static io.tfew.peft.baselines.BaselinesTestKit.NAME;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tfew.api.config.ConfigException;
import io.tfew.core.adapter.AdapterDirectory;
import io.tfew.core.checkpoint.SafetensorsReader;
import io.tfew.core.testing.ParityModel;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** BitFit: zero biases at t-few's sites plus the norms; training, round trip, T0-3B count, options. */
class BitFitTest {
  @TempDir
  Path tmp;

  @ParameterizedTest
  @ValueSource(strings = {"t0-tiny", "t5-tiny"})
  void zeroBiasesLeaveTheBaseScores(String fixture) {
    try (ParityModel h = new ParityModel(fixture, BaselinesTestKit.create("bitfit", Map.of()))) {
      var dims = h.graph.config().dims();
      var declared = h.graph.parameters().declaredBy(NAME);
      int ffn = dims.gatedFfn() ? 2 : 1;
      long biases = declared.keySet().stream().filter(k -> k.endsWith(".bias")).count();
      assertThat(biases).isEqualTo((4L + ffn) * dims.numEncoderLayers() + (8L + ffn) * dims.numDecoderLayers());
      assertThat(declared.keySet()).contains("decoder.block.0.layer.1.EncDecAttention.o.bias")
          .noneMatch(k -> k.endsWith(".wo.bias") || k.startsWith("lm_head"));
      assertThat(declared.keySet().stream().filter(k -> k.endsWith("layer_norm.weight")).count())
          .isEqualTo(2L * dims.numEncoderLayers() + 3L * dims.numDecoderLayers() + 2);
      declared.keySet().stream().filter(k -> k.endsWith(".bias"))
          .forEach(k -> assertThat(h.graph.parameters().read(h.session, k)).as(k).containsOnly(0f));
    }
    BaselinesTestKit.assertBaseScores(fixture, BaselinesTestKit.create("bitfit", Map.of()));
  }

  @Test
  void trainingLowersTheLossAndTheAdapterRoundTrips() {
    Path adapter = tmp.resolve("adapter");
    var trained = BaselinesTestKit.train("t0-tiny", "bitfit", Map.of(), 20, 0.05, adapter);
    System.out.println("bitfit losses " + trained.losses());
    assertThat(trained.meanLoss(16, 20)).isLessThan(trained.meanLoss(0, 4));
    try (SafetensorsReader r = SafetensorsReader.open(adapter.resolve(AdapterDirectory.WEIGHTS_FILE))) {
      assertThat(r.tensors().keySet()).containsExactlyInAnyOrderElementsOf(trained.after().keySet());
      assertThat(r.tensors().get("encoder.block.0.layer.1.DenseReluDense.wi_0.bias").shape()).containsExactly(96);
    }
    float[] reloaded = BaselinesTestKit.reloadedScores("t0-tiny", "bitfit", adapter);
    assertThat(BaselinesTestKit.maxAbsDiff(reloaded, trained.scores())).isLessThan(1e-5);
  }

  @Test
  void t03bCountIsThePapers1_3M() {
    // Biases: encoder 24 x (4 x 2048 + 2 x 5120) + decoder 24 x (8 x 2048 + 2 x 5120) = 1,081,344, plus the
    // 249,856 norm scales: 1,331,200, the paper's "1.3M". t-few's regex names "w_o", which matches no T5
    // module, so wo has no bias there and none here.
    var declared = BaselinesTestKit.t03bDeclared(BaselinesTestKit.create("bitfit", Map.of()));
    assertThat(BaselinesTestKit.count(declared)).isEqualTo(1_331_200L);
    assertThat(BaselinesTestKit.count(BaselinesTestKit.t03bDeclared(
        BaselinesTestKit.create("bitfit", Map.of("train_layer_norms", false))))).isEqualTo(1_081_344L);
  }

  @Test
  void badOptionsAreConfigErrors() {
    assertThatThrownBy(() -> BaselinesTestKit.create("bitfit", Map.of("bias", "all")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("bias").hasMessageContaining("unknown key");
    assertThatThrownBy(() -> BaselinesTestKit.create("bitfit", Map.of("target_modules", List.of("(q"))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("target_modules").hasMessageContaining("(q");
    assertThatThrownBy(() -> BaselinesTestKit.create("bitfit", Map.of("target_modules", List.of())))
        .isInstanceOf(ConfigException.class).hasMessageContaining("at least one");
    assertThatThrownBy(() -> BaselinesTestKit.create("bitfit", Map.of("train_layer_norms", "yes")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("train_layer_norms");
  }
}
