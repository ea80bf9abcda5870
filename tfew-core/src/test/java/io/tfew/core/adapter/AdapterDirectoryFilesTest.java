package io.tfew.core.adapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.tfew.api.TfewException;
import io.tfew.core.files.SpecialFiles;
import io.tfew.core.plugin.PluginRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An adapter directory's files are read only when they are regular files inside it, and never quoted. */
class AdapterDirectoryFilesTest {
  @TempDir Path tmp;

  private Path adapter() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("adapter"));
    Files.writeString(dir.resolve(AdapterDirectory.CONFIG_FILE), "{\"peft_type\": \"IA3\"}");
    return dir;
  }

  @Test
  void errorsInTfewsRecordNameThatFile() throws IOException {
    Path dir = adapter();
    Files.writeString(dir.resolve(AdapterDirectory.TFEW_FILE), "{\"tfew_method\": ");
    assertThatThrownBy(() -> AdapterDirectory.read(dir, PluginRegistry.discover()))
        .isInstanceOf(TfewException.class)
        .hasMessageStartingWith(dir.resolve(AdapterDirectory.TFEW_FILE) + ": is not valid JSON at line 1");
    assertThat(AdapterDirectory.configFile(dir)).isEqualTo(dir.resolve(AdapterDirectory.TFEW_FILE));
  }

  @Test
  void aRecordLinkedOutOfTheDirectoryIsRefusedAndNotQuoted() throws IOException {
    Path dir = adapter();
    Path secret = Files.writeString(tmp.resolve("passwd"), "root:x:0:0:root:/root:/bin/bash\n");
    Files.createSymbolicLink(dir.resolve(AdapterDirectory.TFEW_FILE), secret);
    assertThatThrownBy(() -> AdapterDirectory.read(dir, PluginRegistry.discover()))
        .isInstanceOf(TfewException.class)
        .hasMessageContaining("outside its directory")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("root:x"));
  }

  @Test
  void aFifoAsTheRecordIsRefusedWithoutBlocking() throws Exception {
    Path dir = adapter();
    SpecialFiles.fifo(dir.resolve(AdapterDirectory.TFEW_FILE));
    assertTimeoutPreemptively(Duration.ofSeconds(60), () ->
        assertThatThrownBy(() -> AdapterDirectory.read(dir, PluginRegistry.discover()))
            .hasMessageStartingWith(dir.resolve(AdapterDirectory.TFEW_FILE) + ": is a FIFO"));
  }
}
