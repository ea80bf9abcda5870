package io.tfew.experiments.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Percentage.withPercentage;

import io.tfew.api.TfewException;
import io.tfew.core.model.T5Config;
import io.tfew.core.testing.SharedFixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** T-Few's Table 1 row from the T0 (11B) config, and the accounting's dependence on the config. */
class CostModelTest {
  @TempDir
  Path tmp;

  private static T5Config t0_11b() {
    return T5Config.read(SharedFixtures.path("fixtures/configs/t0-11b/config.json"));
  }

  /** (IA)^3's closed form: l_k, l_v in every attention (inner = heads x d_kv) and l_ff in every FFN. */
  private static long ia3Count(T5Config c) {
    long inner = (long) c.numHeads() * c.dKv();
    return c.numLayers() * (2 * inner + c.dFf()) + c.numDecoderLayers() * (4 * inner + c.dFf());
  }

  @Test
  void measuredAssumptionsAverageEveryDatasetOnceWithItsOwnShots() {
    HeldOutTokens counts = new HeldOutTokens("tokenizer.json", 256, List.of(
        new DatasetTokens("A", 3, 6, 10.0, 2.0, 2.0, 4),
        new DatasetTokens("B", 3, 5, 20.0, 3.0, 4.0, 9)));
    // (10 + 2 + 20 + 4) / 2 = 18 tokens; ICL (4 + 1) x 12 and (9 + 1) x 24, mean 150; shots 6.5.
    CostAssumptions a = CostAssumptions.measured(counts, 1000, 8);
    assertThat(a.tokensPerExample()).isEqualTo(18.0);
    assertThat(a.iclTokensPerExample()).isEqualTo(150.0);
    assertThat(a.shots()).isEqualTo(6.5);

    CostEstimate e = CostModel.estimate(1_000, 10, a);
    assertThat(e.inferenceFlopsPerExample()).isEqualTo(18_000.0);
    assertThat(e.trainingFlops()).isEqualTo(3 * 18_000.0 * 8 * 1000);
    assertThat(e.iclInferenceFlopsPerExample()).isEqualTo(150_000.0);
    assertThat(e.iclStorageBytes()).isEqualTo((150 - 18) * 4);
  }

  @Test
  void theCommittedMeasurementCoversTheHeldOutDatasets() {
    HeldOutTokens committed = HeldOutTokens.committed();
    assertThat(committed.datasets()).extracting(DatasetTokens::name)
        .containsExactlyElementsOf(HeldOutTokens.SOURCES.stream().map(HeldOutTokens.Source::name).toList());
    assertThat(committed.datasets()).allSatisfy(d -> {
      assertThat(d.pairs()).isPositive();
      assertThat(d.inputTokens()).isGreaterThan(d.targetTokens());
    });
  }

  @Test
  void parameterCountComesFromTheConfig() throws IOException {
    T5Config c = t0_11b();
    // Every weight of a gated T5 from config.json's sizes, written out independently of T5Weights.
    long d = c.dModel();
    long inner = (long) c.numHeads() * c.dKv();
    long attention = 4 * d * inner;
    long ffn = 3 * d * c.dFf();
    long expected = 2 * c.vocabSize() * d // shared embedding and the untied lm_head
        + c.numLayers() * (attention + ffn + 2 * d) + d
        + c.numDecoderLayers() * (2 * attention + ffn + 3 * d) + d
        + 2L * c.relativeAttentionNumBuckets() * c.numHeads();
    assertThat(c.parameterCount()).isEqualTo(expected);

    String json = Files.readString(SharedFixtures.path("fixtures/configs/t0-11b/config.json"))
        .replace("\"d_ff\": 10240", "\"d_ff\": 20480");
    Path wider = Files.writeString(tmp.resolve("config.json"), json);
    T5Config w = T5Config.read(wider);
    assertThat(w.parameterCount() - c.parameterCount())
        .isEqualTo((c.numLayers() + c.numDecoderLayers()) * 3 * d * 10240);
    CostAssumptions a = new CostAssumptions(100, 1000, 8, 32);
    assertThat(CostModel.estimate(w.parameterCount(), 0, a).inferenceFlopsPerExample())
        .isGreaterThan(CostModel.estimate(c.parameterCount(), 0, a).inferenceFlopsPerExample());
  }

  @Test
  void scalesWithTheWorkload() {
    CostEstimate one = CostModel.estimate(1_000, 10, new CostAssumptions(100, 10, 4, 2));
    assertThat(one.inferenceFlopsPerExample()).isEqualTo(1_000.0 * 100);
    assertThat(one.trainingFlops()).isEqualTo(3 * 1_000.0 * 100 * 4 * 10);
    assertThat(one.adapterBytes()).isEqualTo(40);
    assertThat(one.iclTokensPerExample()).isEqualTo(300);
    assertThat(one.iclStorageBytes()).isEqualTo(2 * 100 * 4);
  }

  @Test
  void aBadConfigIsNamed() throws IOException {
    Path missing = tmp.resolve("nope/config.json");
    assertThatThrownBy(() -> T5Config.read(missing)).isInstanceOf(TfewException.class)
        .hasMessageContaining(missing.toString());
    Path broken = Files.writeString(tmp.resolve("broken.json"), "{\"d_model\": 512");
    assertThatThrownBy(() -> T5Config.read(broken)).isInstanceOf(TfewException.class)
        .hasMessageContaining(broken.toString());
    Path noDims = Files.writeString(tmp.resolve("nodims.json"), "{\"model_type\": \"t5\"}");
    assertThatThrownBy(() -> T5Config.read(noDims)).isInstanceOf(TfewException.class)
        .hasMessageContaining(noDims.toString()).hasMessageContaining("is missing");
    assertThatThrownBy(() -> new CostAssumptions(0, 1, 1, 0)).isInstanceOf(TfewException.class)
        .hasMessageContaining("--tokens");
  }
}
