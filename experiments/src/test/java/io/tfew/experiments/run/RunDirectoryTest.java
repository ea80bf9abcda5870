package io.tfew.experiments.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tfew.api.TfewException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunDirectoryTest {
  @TempDir Path dir;

  private static final String OLD = "name: a\nseed: 1\ntrain:\n  lr: 0.3\n";
  private static final String NEW = "name: a\nseed: 2\ntrain:\n  lr: 0.1\n";

  private void finishedRun(String config) throws IOException {
    Files.writeString(dir.resolve(RunDirectory.CONFIG), config);
    Files.writeString(dir.resolve("provenance.json"), "{\"finished\": \"2026-01-01T00:00:00Z\"}");
    Files.createDirectories(dir.resolve("adapter"));
    Files.writeString(dir.resolve("adapter").resolve("adapter_config.json"), "{}");
    Files.writeString(dir.resolve("notes.txt"), "the user's own file");
  }

  @Test
  void anEmptyOrSameConfigDirectoryIsFree() throws IOException {
    assertThat(RunDirectory.claim(dir, NEW, false)).isEmpty();
    finishedRun(NEW);
    assertThat(RunDirectory.claim(dir, NEW, false)).isEmpty();
  }

  @Test
  void aFinishedRunOfAnotherConfigIsRefusedNamingTheDifferingKeys() throws IOException {
    finishedRun(OLD);
    assertThatThrownBy(() -> RunDirectory.claim(dir, NEW, false)).isInstanceOf(TfewException.class)
        .hasMessageStartingWith(dir + ": holds a finished run of another config (differing: seed, train.lr;")
        .hasMessageContaining("--force");
    assertThat(Files.readString(dir.resolve(RunDirectory.CONFIG))).isEqualTo(OLD);
    assertThat(dir.resolve("adapter").resolve("adapter_config.json")).exists();
  }

  @Test
  void forceRemovesOnlyTheRunsOwnFilesAndSaysWhat() throws IOException {
    finishedRun(OLD);
    assertThat(RunDirectory.claim(dir, NEW, true)).hasValueSatisfying(line ->
        assertThat(line).startsWith("replaced a finished run of another config (differing: seed, train.lr"));
    assertThat(dir.resolve("adapter")).doesNotExist();
    assertThat(dir.resolve("provenance.json")).doesNotExist();
    assertThat(dir.resolve("notes.txt")).exists();
  }

  @Test
  void anUnfinishedRunWithoutTrainingStateIsNotWorthKeeping() throws IOException {
    Files.writeString(dir.resolve(RunDirectory.CONFIG), OLD);
    Files.writeString(dir.resolve("provenance.json"), "{\"seed\": 1}");
    assertThat(RunDirectory.claim(dir, NEW, false)).isEmpty();
  }

  @Test
  void differingKeysCompareTheRecordedConfig() throws IOException {
    assertThat(RunDirectory.differingKeys(dir, NEW)).isEmpty();
    Files.writeString(dir.resolve(RunDirectory.CONFIG), OLD);
    assertThat(RunDirectory.differingKeys(dir, NEW)).containsExactly("seed", "train.lr");
    assertThat(RunDirectory.differingKeys(dir, OLD)).isEmpty();
  }
}
