package io.tfew.experiments.minit0;

import static org.assertj.core.api.Assertions.assertThat;

import io.tfew.api.config.ConfigField;
import io.tfew.api.config.ConfigSection;
import io.tfew.api.model.LinearSite;
import io.tfew.api.model.ParameterInit;
import io.tfew.api.peft.PeftMethod;
import io.tfew.core.adapter.AdapterDirectory;
import io.tfew.core.checkpoint.Checkpoint;
import io.tfew.core.checkpoint.SafetensorsReader;
import io.tfew.core.model.SiteRewrites;
import io.tfew.core.model.T5Config;
import io.tfew.core.model.TrainableParameters;
import io.tfew.core.runtime.ModelGraph;
import io.tfew.core.score.RankScoringGraph;
import io.tfew.core.testing.TinyTraining;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;

/** {@link Pretraining#runAdapter}: a PEFT method trained on the family mixture over a frozen tiny model. */
class AdapterPretrainingTest {
  private static final String NAME = "scale_kv";

  /** Scales attention keys and values by trainable vectors that start at one, like (IA)^3's l_k and l_v. */
  static final class ScaleKeysAndValues implements PeftMethod {
    @Override
    public Operand<TFloat32> linearOutput(LinearSite site, Operand<TFloat32> input, Operand<TFloat32> output) {
      if (!site.path().endsWith(".k") && !site.path().endsWith(".v")) {
        return output;
      }
      Operand<TFloat32> l = site.context().parameters().trainable(site.path() + ".scale",
          Shape.of(site.outFeatures()), ParameterInit.constant(1f));
      return site.context().tf().math.mul(output, l);
    }
  }

  @TempDir static Path shared;
  @TempDir Path dir;

  private static Path base;
  private static byte[] baseBytes;

  @BeforeAll
  static void pretrainATinyBase() throws IOException {
    base = shared.resolve("base");
    Pretraining.run(base, new Pretraining.Options("tiny", 2, 8, 2e-3, 1, 0.05, 1.0, 0, 3), TinyTraining.GOLD_NLL,
        false, (step, loss, lr) -> { });
    baseBytes = Files.readAllBytes(base.resolve("model.safetensors"));
  }

  private static Pretraining.Adapter adapter() {
    ConfigSection config = ConfigSection.validate("peft[0]",
        List.of(ConfigField.ofDouble("factor", 1.0, "unused")), Map.of());
    return new Pretraining.Adapter(base, NAME, config, new ScaleKeysAndValues());
  }

  private static List<Double> pretrain(Path out) {
    List<Double> losses = new ArrayList<>();
    Pretraining.Outcome outcome = Pretraining.runAdapter(out, adapter(),
        new Pretraining.Options("tiny", 4, 8, 3e-2, 1, 0.05, 1.0, 0, 7), TinyTraining.GOLD_NLL, false,
        (step, loss, lr) -> losses.add(loss));
    // Tiny shape: 2+2 layers, k and v of 2 self- and 2 cross-attentions of 4 heads x 8, one vector of 32 each.
    assertThat(outcome.parameters()).isEqualTo((2 * 2 + 2 * 4) * 32L);
    return losses;
  }

  @Test
  void writesAnAdapterThatLoadsOnTheFrozenModelAndTheSameBytesTwice() throws IOException {
    List<Double> first = pretrain(dir.resolve("a"));
    List<Double> second = pretrain(dir.resolve("b"));
    assertThat(first).hasSize(4).allSatisfy(l -> assertThat(l).isFinite().isPositive());
    assertThat(second).isEqualTo(first);
    Path weights = dir.resolve("a").resolve(Pretraining.ADAPTER_DIR).resolve(AdapterDirectory.WEIGHTS_FILE);
    assertThat(Files.readAllBytes(dir.resolve("b/adapter").resolve(AdapterDirectory.WEIGHTS_FILE)))
        .isEqualTo(Files.readAllBytes(weights));
    assertThat(dir.resolve("a/adapter").resolve(AdapterDirectory.TFEW_FILE)).isRegularFile();
    // The backbone stays as it was: only the method's vectors were trained.
    assertThat(Files.readAllBytes(base.resolve("model.safetensors"))).isEqualTo(baseBytes);
    assertThat(dir.resolve("a/model.safetensors")).doesNotExist();

    ScaleKeysAndValues method = new ScaleKeysAndValues();
    try (ModelGraph graph = new ModelGraph(T5Config.read(base.resolve("config.json")),
            new SiteRewrites(List.of(new SiteRewrites.Active(NAME, method))), false, 1, 1)) {
      // The scoring graph builds the decoder, whose sites declare the rest of the vectors.
      RankScoringGraph.build(graph.ops(), graph.model());
      try (Session session = graph.startSession();
          Checkpoint checkpoint = Checkpoint.open(base);
          SafetensorsReader saved = SafetensorsReader.open(weights)) {
      graph.weights().load(session, checkpoint, n -> { });
      AdapterDirectory.load(dir.resolve("a/adapter"), NAME, method, graph.parameters(), session);
      assertThat(saved.tensors()).hasSize(12);
      boolean moved = false;
      for (TrainableParameters.Declared d : graph.parameters().declaredBy(NAME).values()) {
        float[] loaded = graph.parameters().read(session, d.key());
        assertThat(loaded).isEqualTo(saved.readFloats(d.key()));
        for (float v : loaded) {
          moved |= v != 1f;
        }
      }
      assertThat(moved).as("training moved some vector away from its init of ones").isTrue();
      }
    }
  }
}
