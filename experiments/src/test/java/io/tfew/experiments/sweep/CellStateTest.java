package io.tfew.experiments.sweep;

import static org.assertj.core.api.Assertions.assertThat;

import io.tfew.core.train.TrainingCheckpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A cell's state is read from what tfew train leaves in its directory. */
class CellStateTest {
  @TempDir
  Path dir;

  @Test
  void anEmptyOrAbsentDirectoryIsNew() {
    assertThat(CellState.of(dir.resolve("absent"), "a: 1\n")).isEqualTo(CellState.NEW);
    assertThat(CellState.of(dir, "a: 1\n")).isEqualTo(CellState.NEW);
  }

  @Test
  void aTrainingStateWithoutFinishedIsPartialAndFinishedProvenanceIsFinished() throws IOException {
    Files.writeString(dir.resolve("config.resolved.yaml"), "a: 1\n");
    Files.createDirectories(dir.resolve("checkpoint"));
    Files.writeString(dir.resolve("checkpoint").resolve(TrainingCheckpoint.FILE), "x");
    Files.writeString(dir.resolve("provenance.json"), "{\"started\": \"2026-01-01T00:00:00Z\"}");
    assertThat(CellState.of(dir, "a: 1\n")).isEqualTo(CellState.PARTIAL);

    Files.writeString(dir.resolve("provenance.json"), "{\"finished\": \"2026-01-01T01:00:00Z\"}");
    assertThat(CellState.of(dir, "a: 1\n")).isEqualTo(CellState.FINISHED);
  }

  @Test
  void aRunOfAnotherConfigIsNeitherSkippedNorResumed() throws IOException {
    Files.writeString(dir.resolve("config.resolved.yaml"), "a: 1\n");
    Files.writeString(dir.resolve("provenance.json"), "{\"finished\": \"2026-01-01T01:00:00Z\"}");

    assertThat(CellState.of(dir, "a: 2\n")).isEqualTo(CellState.OTHER_CONFIG);
  }
}
