package io.tfew.experiments.minit0;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tfew.core.checkpoint.Checkpoint;
import io.tfew.core.model.SiteRewrites;
import io.tfew.core.model.T5Config;
import io.tfew.core.runtime.ModelGraph;
import io.tfew.core.tokenize.T5Tokenizer;
import io.tfew.experiments.run.FileDigests;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.tensorflow.Session;

/** The mini-T0 checkpoint committed at models/mini-t0 is what its README and pretrain.json say. */
class CommittedCheckpointTest {
  private static final Path MODEL = Path.of("..", "models", "mini-t0");

  private static String readme() throws IOException {
    return Files.readString(MODEL.resolve("README.md"));
  }

  private static String find(String text, String regex) {
    Matcher m = Pattern.compile(regex).matcher(text);
    assertThat(m.find()).as("README.md has a line matching " + regex).isTrue();
    return m.group(1);
  }

  @Test
  void theWeightsAreTheOnesTheReadmeAndTheRecordName() throws IOException {
    String sha = FileDigests.sha256(MODEL.resolve("model.safetensors"));
    assertThat(find(readme(), "sha256 of model\\.safetensors: `([0-9a-f]{64})`")).isEqualTo(sha);
    JsonNode record = new ObjectMapper().readTree(MODEL.resolve("pretrain.json").toFile());
    assertThat(record.get("model_sha256").asText()).isEqualTo(sha);
    assertThat(record.get("step").asLong()).isEqualTo(record.get("options").get("steps").asLong());
    assertThat(readme()).contains(record.get("command").asText());
    assertThat(Files.size(MODEL.resolve("model.safetensors"))).isLessThanOrEqualTo(8L << 20);
  }

  @Test
  void theConfigIsTheMiniShapeTheReadmeDescribes() throws IOException {
    T5Config config = T5Config.read(MODEL.resolve("config.json"));
    T5Config mini = MiniT0Model.byName("mini");
    String arch = find(readme(), "architecture: (.*)");
    assertThat(arch).isEqualTo(String.format(java.util.Locale.ROOT,
        "d_model %d, %d heads x %d, d_ff %d gated-gelu, %d+%d layers, untied, vocab %d, %d buckets / max distance %d",
        config.dModel(), config.numHeads(), config.dKv(), config.dFf(), config.numLayers(), config.numDecoderLayers(),
        config.vocabSize(), config.relativeAttentionNumBuckets(), config.relativeAttentionMaxDistance()));
    assertThat(List.of(config.dModel(), config.numHeads(), config.dKv(), config.dFf(), config.numLayers(),
        config.numDecoderLayers(), config.vocabSize(), config.relativeAttentionNumBuckets(),
        config.relativeAttentionMaxDistance()))
        .isEqualTo(List.of(mini.dModel(), mini.numHeads(), mini.dKv(), mini.dFf(), mini.numLayers(),
            mini.numDecoderLayers(), mini.vocabSize(), mini.relativeAttentionNumBuckets(),
            mini.relativeAttentionMaxDistance()));
    assertThat(config.gatedFfn()).isTrue();
    assertThat(config.tieWordEmbeddings()).isFalse();
    assertThat(find(readme(), "parameters: ([0-9,]+)").replace(",", ""))
        .isEqualTo(Long.toString(config.parameterCount()));
  }

  @Test
  void theTokenizerIsTheVocabularyAndTheWeightsLoad() {
    try (T5Tokenizer tok = T5Tokenizer.load(MODEL.resolve("tokenizer.json"), 64)) {
      List<String> words = Vocabulary.words();
      for (int i = 0; i < words.size(); i++) {
        assertThat(tok.encode(words.get(i))).as(words.get(i)).containsExactly(i + 3, tok.eosId());
      }
    }
    T5Config config = T5Config.read(MODEL.resolve("config.json"));
    try (ModelGraph graph = new ModelGraph(config, SiteRewrites.none(), false, 1, 1);
        Session session = graph.startSession();
        Checkpoint checkpoint = Checkpoint.open(MODEL)) {
      graph.weights().load(session, checkpoint, n -> { });
    }
  }
}
