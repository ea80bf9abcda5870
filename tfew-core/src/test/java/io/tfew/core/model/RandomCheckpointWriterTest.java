package io.tfew.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tfew.core.checkpoint.Checkpoint;
import io.tfew.core.checkpoint.CheckpointException;
import io.tfew.core.checkpoint.SafetensorsWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RandomCheckpointWriterTest {
  @TempDir
  Path dir;

  @Test
  void aStreamedCheckpointHasEveryWeightOfItsShapeDrawnWithinItsBound() throws Exception {
    T5Config tiny = RandomModels.tiny(64);
    Path inMemory = Files.createDirectories(dir.resolve("memory"));
    Path streamed = Files.createDirectories(dir.resolve("streamed"));
    long bytes = RandomCheckpointWriter.write(tiny, inMemory, 5L, Long.MAX_VALUE);
    assertThat(RandomCheckpointWriter.write(tiny, streamed, 5L, 0)).isEqualTo(bytes);

    Map<String, long[]> expected = T5Weights.expectedShapes(tiny);
    try (Checkpoint a = Checkpoint.open(inMemory); Checkpoint b = Checkpoint.open(streamed)) {
      assertThat(b.tensorNames()).containsExactlyInAnyOrderElementsOf(expected.keySet());
      boolean anyDiffers = false;
      for (Map.Entry<String, long[]> e : expected.entrySet()) {
        assertThat(b.info(e.getKey()).shape()).as(e.getKey()).isEqualTo(e.getValue());
        float[] values = b.readFloats(e.getKey());
        if (e.getKey().endsWith("layer_norm.weight")) {
          assertThat(values).containsOnly(1f);
        } else {
          double bound = e.getKey().equals("shared.weight") ? Math.sqrt(3)
              : e.getKey().endsWith("relative_attention_bias.weight") ? 0.1 : Math.sqrt(3.0 / e.getValue()[1]);
          for (float v : values) {
            assertThat(Math.abs(v)).as(e.getKey()).isLessThanOrEqualTo((float) bound);
          }
          anyDiffers |= !Arrays.equals(values, a.readFloats(e.getKey()));
        }
      }
      // Each streamed tensor has a stream of its own, so the draws are not the in-memory path's single stream.
      assertThat(anyDiffers).isTrue();
    }
  }

  @Test
  void streamedValuesOfTheWrongLengthAreRefusedAndLeaveNoFile() {
    Path file = dir.resolve("model.safetensors");
    assertThatThrownBy(() -> SafetensorsWriter.write(file, Map.of("w", new long[] {2, 3}), name -> new float[5],
        Map.of()))
        .isInstanceOf(CheckpointException.class)
        .hasMessageContaining("\"w\" has 5 values but its shape [2, 3] holds 6");
    assertThat(file).doesNotExist();
  }
}
