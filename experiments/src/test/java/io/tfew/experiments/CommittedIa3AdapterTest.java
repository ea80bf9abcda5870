package io.tfew.experiments;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tfew.api.peft.PeftMethod;
import io.tfew.core.adapter.AdapterDirectory;
import io.tfew.core.checkpoint.Checkpoint;
import io.tfew.core.checkpoint.SafetensorsReader;
import io.tfew.core.model.SiteRewrites;
import io.tfew.core.model.T5Config;
import io.tfew.core.model.TrainableParameters;
import io.tfew.core.plugin.PluginRegistry;
import io.tfew.core.runtime.ModelGraph;
import io.tfew.core.score.RankScoringGraph;
import io.tfew.experiments.run.FileDigests;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.tensorflow.Session;

/**
 * The (IA)^3 vectors committed at models/mini-t0-ia3 (pre-trained on the mini-T0 mixture over models/mini-t0,
 * the init of experiments/grids/ia3-pretraining.yaml) are what their README and pretrain.json say, and load
 * on that model as every vector the ia3 method declares.
 */
class CommittedIa3AdapterTest {
  private static final Path DIR = Path.of("..", "models", "mini-t0-ia3");
  private static final Path BASE = Path.of("..", "models", "mini-t0");

  private static String find(String text, String regex) {
    Matcher m = Pattern.compile(regex).matcher(text);
    assertThat(m.find()).as("README.md has a line matching " + regex).isTrue();
    return m.group(1);
  }

  @Test
  void theVectorsAreTheOnesTheReadmeAndTheRecordName() throws IOException {
    String readme = Files.readString(DIR.resolve("README.md"));
    String sha = FileDigests.sha256(DIR.resolve("adapter").resolve(AdapterDirectory.WEIGHTS_FILE));
    assertThat(find(readme, "sha256 of adapter/adapter_model\\.safetensors: `([0-9a-f]{64})`")).isEqualTo(sha);
    JsonNode record = new ObjectMapper().readTree(DIR.resolve("pretrain.json").toFile());
    assertThat(record.get("adapter_sha256").asText()).isEqualTo(sha);
    assertThat(record.get("base_model_sha256").asText()).isEqualTo(FileDigests.sha256(BASE.resolve("model.safetensors")));
    assertThat(record.get("peft").asText()).isEqualTo("ia3");
    assertThat(record.get("step").asLong()).isEqualTo(record.get("options").get("steps").asLong());
    assertThat(readme).contains(record.get("command").asText());
    assertThat(find(readme, "final loss: ([0-9.]+) at step"))
        .isEqualTo(String.format(Locale.ROOT, "%.3f", record.get("loss").asDouble()));
    assertThat(find(readme, "seed: ([0-9]+)")).isEqualTo(record.get("seed").asText());
  }

  @Test
  void theAdapterLoadsOnMiniT0AsIa3() {
    PluginRegistry registry = PluginRegistry.discover();
    Path adapter = DIR.resolve("adapter");
    AdapterDirectory.Spec spec = AdapterDirectory.read(adapter, registry);
    assertThat(spec.provider().name()).isEqualTo("ia3");
    PeftMethod method = spec.provider().create(io.tfew.api.config.ConfigSection.validate("adapter",
        spec.provider().configFields(), spec.methodConfig()));
    try (ModelGraph graph = new ModelGraph(T5Config.read(BASE.resolve("config.json")),
        new SiteRewrites(List.of(new SiteRewrites.Active("ia3", method))), false, 1, 1)) {
      RankScoringGraph.build(graph.ops(), graph.model());
      try (Session session = graph.startSession();
          Checkpoint checkpoint = Checkpoint.open(BASE);
          SafetensorsReader saved = SafetensorsReader.open(adapter.resolve(AdapterDirectory.WEIGHTS_FILE))) {
        graph.weights().load(session, checkpoint, n -> { });
        AdapterDirectory.load(adapter, "ia3", method, graph.parameters(), session);
        // mini-T0: 3+3 layers; k and v of 3 self- and 3 cross-attentions, and l_ff of 6 FFNs.
        assertThat(saved.tensors()).hasSize(2 * 3 + 2 * 6 + 6);
        boolean moved = false;
        for (TrainableParameters.Declared d : graph.parameters().declaredBy("ia3").values()) {
          float[] loaded = graph.parameters().read(session, d.key());
          assertThat(loaded).isEqualTo(saved.readFloats(method.adapterKey(d.key())));
          for (float v : loaded) {
            moved |= v != 1f;
          }
        }
        assertThat(moved).as("pre-training moved the vectors away from ones").isTrue();
      }
    }
  }
}
