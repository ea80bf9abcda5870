package io.tfew.core.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tfew.core.testing.SharedFixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {
  @TempDir Path dir;

  private static FloatTensor vec(float... v) {
    return new FloatTensor(new long[] {v.length}, v);
  }

  private void writeShards() {
    SafetensorsWriter.write(dir.resolve("model-00001-of-00002.safetensors"),
        Map.of("a", vec(1, 2), "b", vec(3)), null);
    SafetensorsWriter.write(dir.resolve("model-00002-of-00002.safetensors"), Map.of("c", vec(4, 5, 6)), null);
  }

  private void writeIndex(String weightMapJson) throws IOException {
    Files.writeString(dir.resolve(ShardIndex.FILE_NAME),
        "{\"metadata\":{\"total_size\":24},\"weight_map\":" + weightMapJson + "}");
  }

  @Test
  void singleFile() {
    SafetensorsWriter.write(dir.resolve("model.safetensors"), Map.of("x", vec(1, 2, 3)), null);
    try (Checkpoint c = Checkpoint.open(dir)) {
      assertThat(c.tensorNames()).containsExactly("x");
      assertThat(c.info("x").shape()).containsExactly(3);
      assertThat(c.readFloats("x")).containsExactly(1, 2, 3);
      assertThat(c.files()).containsExactly(dir.resolve("model.safetensors"));
      List<Float> streamed = new ArrayList<>();
      c.readFloats("x", (off, v, n) -> {
        for (int i = 0; i < n; i++) {
          streamed.add(v[i]);
        }
      });
      assertThat(streamed).containsExactly(1f, 2f, 3f);
    }
  }

  @Test
  void sharded() throws IOException {
    writeShards();
    writeIndex("{\"a\":\"model-00001-of-00002.safetensors\",\"c\":\"model-00002-of-00002.safetensors\","
        + "\"b\":\"model-00001-of-00002.safetensors\"}");
    try (Checkpoint c = Checkpoint.open(dir)) {
      assertThat(c.tensorNames()).containsExactly("a", "c", "b");
      assertThat(c.readFloats("c")).containsExactly(4, 5, 6);
      assertThat(c.readFloats("b")).containsExactly(3);
      assertThat(c.files()).containsExactly(
          dir.resolve("model-00001-of-00002.safetensors"), dir.resolve("model-00002-of-00002.safetensors"));
    }
  }

  @Test
  void missingTensorNamesTensorAndFile() {
    SafetensorsWriter.write(dir.resolve("model.safetensors"), Map.of("encoder.w", vec(1)), null);
    try (Checkpoint c = Checkpoint.open(dir)) {
      assertThatThrownBy(() -> c.info("model.encoder.w"))
          .isInstanceOf(CheckpointException.class)
          .hasMessageContaining("\"model.encoder.w\"")
          .hasMessageContaining(dir.resolve("model.safetensors").toString())
          .hasMessageContaining("did you mean \"encoder.w\"");
    }
  }

  @Test
  void missingTensorInShardedCheckpointNamesShards() throws IOException {
    writeShards();
    writeIndex("{\"a\":\"model-00001-of-00002.safetensors\",\"c\":\"model-00002-of-00002.safetensors\"}");
    try (Checkpoint c = Checkpoint.open(dir)) {
      assertThatThrownBy(() -> c.readFloats("zz"))
          .isInstanceOf(CheckpointException.class)
          .hasMessageContaining("\"zz\"")
          .hasMessageContaining("model-00001-of-00002.safetensors")
          .hasMessageContaining("model-00002-of-00002.safetensors");
    }
  }

  @Test
  void missingShardFile() throws IOException {
    writeShards();
    writeIndex("{\"a\":\"model-00001-of-00002.safetensors\",\"d\":\"model-00003-of-00003.safetensors\"}");
    assertThatThrownBy(() -> Checkpoint.open(dir))
        .isInstanceOf(CheckpointException.class)
        .hasMessageContaining(ShardIndex.FILE_NAME)
        .hasMessageContaining("model-00003-of-00003.safetensors")
        .hasMessageContaining("does not exist");
  }

  @Test
  void tensorAbsentFromItsShard() throws IOException {
    writeShards();
    writeIndex("{\"a\":\"model-00001-of-00002.safetensors\",\"c\":\"model-00001-of-00002.safetensors\"}");
    assertThatThrownBy(() -> Checkpoint.open(dir))
        .isInstanceOf(CheckpointException.class)
        .hasMessageContaining("\"c\"")
        .hasMessageContaining("model-00001-of-00002.safetensors")
        .hasMessageContaining("no such tensor");
  }

  @Test
  void shardNameWithParentTraversal() throws IOException {
    Path inner = Files.createDirectory(dir.resolve("model"));
    SafetensorsWriter.write(dir.resolve("evil.safetensors"), Map.of("a", vec(1)), null);
    Files.writeString(inner.resolve(ShardIndex.FILE_NAME), "{\"weight_map\":{\"a\":\"../evil.safetensors\"}}");
    assertThatThrownBy(() -> Checkpoint.open(inner))
        .isInstanceOf(CheckpointException.class)
        .hasMessageContaining("../evil.safetensors")
        .hasMessageContaining("not a plain file name");
  }

  @Test
  void absoluteShardName() throws IOException {
    writeIndex("{\"a\":\"/etc/passwd\"}");
    assertThatThrownBy(() -> Checkpoint.open(dir))
        .isInstanceOf(CheckpointException.class)
        .hasMessageContaining("/etc/passwd");
  }

  @Test
  void indexWithoutWeightMap() throws IOException {
    Files.writeString(dir.resolve(ShardIndex.FILE_NAME), "{\"metadata\":{}}");
    assertThatThrownBy(() -> Checkpoint.open(dir))
        .isInstanceOf(CheckpointException.class)
        .hasMessageContaining(ShardIndex.FILE_NAME)
        .hasMessageContaining("weight_map");
  }

  @Test
  void indexNotJson() throws IOException {
    Files.writeString(dir.resolve(ShardIndex.FILE_NAME), "{not json");
    assertThatThrownBy(() -> Checkpoint.open(dir))
        .isInstanceOf(CheckpointException.class)
        .hasMessageContaining(ShardIndex.FILE_NAME);
  }

  @Test
  void noWeightsFile() throws IOException {
    Files.writeString(dir.resolve("config.json"), "{}");
    assertThatThrownBy(() -> Checkpoint.open(dir))
        .isInstanceOf(CheckpointException.class)
        .hasMessageContaining(dir.toString())
        .hasMessageContaining("model.safetensors")
        .hasMessageContaining(ShardIndex.FILE_NAME);
  }

  @Test
  void notADirectory() {
    assertThatThrownBy(() -> Checkpoint.open(dir.resolve("absent")))
        .isInstanceOf(CheckpointException.class)
        .hasMessageContaining("absent")
        .hasMessageContaining("not a directory");
  }

  @Test
  void committedT0TinyFixture() {
    Path model = SharedFixtures.path("fixtures/t5-parity/t0-tiny");
    try (Checkpoint c = Checkpoint.open(model)) {
      assertThat(c.info("shared.weight").shape()).containsExactly(128, 48);
      assertThat(c.info("shared.weight").dtype()).isEqualTo(DType.F32);
      float[] emb = c.readFloats("shared.weight");
      assertThat(emb).hasSize(128 * 48);
      for (float v : emb) {
        assertThat(v).isFinite();
      }
    }
  }
}
