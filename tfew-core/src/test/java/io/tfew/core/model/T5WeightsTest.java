package io.tfew.core.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.tfew.core.checkpoint.Checkpoint;
import io.tfew.core.checkpoint.FloatTensor;
import io.tfew.core.checkpoint.SafetensorsWriter;
import io.tfew.core.data.RankDataReader;
import io.tfew.core.runtime.LoadedModel;
import io.tfew.core.score.ChoiceScores;
import io.tfew.core.score.ExampleEncoder;
import io.tfew.core.testing.SharedFixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class T5WeightsTest {
  private static final Path FIXTURE = SharedFixtures.path("fixtures/t5-parity/t0-tiny");

  @Test
  void tiedEmbeddingsStoredOnlyAsEmbedTokensLoadLikeSharedWeight(@TempDir Path dir) throws Exception {
    for (String f : List.of("config.json", "tokenizer.json")) {
      Files.copy(FIXTURE.resolve(f), dir.resolve(f));
    }
    Map<String, FloatTensor> tensors = new TreeMap<>();
    try (Checkpoint c = Checkpoint.open(FIXTURE)) {
      for (String name : c.tensorNames()) {
        String renamed = name.equals("shared.weight") ? "encoder.embed_tokens.weight" : name;
        tensors.put(renamed, new FloatTensor(c.info(name).shape(), c.readFloats(name)));
      }
    }
    SafetensorsWriter.write(dir.resolve("model.safetensors"), tensors, Map.of());

    assertThat(score(dir)).usingRecursiveComparison().isEqualTo(score(FIXTURE));
  }

  private static List<ChoiceScores> score(Path model) throws Exception {
    try (LoadedModel loaded = LoadedModel.open(model, List.of(), List.of(LoadedModel.Program.SCORE), 256, 0L,
        m -> { })) {
      return loaded.scorer().score(ExampleEncoder.encodeAll(
          RankDataReader.read(FIXTURE.resolve("rank_inputs.jsonl")), loaded.tokenizer()), 4, n -> { });
    }
  }
}
