package io.tfew.core.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.tfew.api.TfewException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InputFileTest {
  @TempDir Path dir;

  @Test
  void aRegularFileOrALinkToOneIsAccepted() throws IOException {
    Path file = Files.writeString(dir.resolve("a.jsonl"), "{}");
    Path link = Files.createSymbolicLink(dir.resolve("b.jsonl"), file);
    assertThat(InputFile.regular(file, "fix")).isEqualTo(file);
    assertThat(InputFile.regular(link, "fix")).isEqualTo(link);
  }

  @Test
  void aDeviceIsNamedAsOneNotAsMissing() {
    assertThatThrownBy(() -> InputFile.regular(Path.of("/dev/zero"), "give the file"))
        .isInstanceOf(TfewException.class)
        .hasMessage("/dev/zero: is a character device, not a regular file; give the file");
  }

  @Test
  void aFifoIsRefusedWithoutBlocking() throws Exception {
    Path fifo = SpecialFiles.fifo(dir.resolve("adapter_model.safetensors"));
    // A hang guard, not a speed requirement: opening a FIFO for reading would block forever.
    assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
      assertThatThrownBy(() -> InputFile.insideDirectory(dir, fifo)).hasMessageContaining("is a FIFO");
    });
  }

  @Test
  void aLinkOutOfTheDirectoryIsRefusedAndOneInsideIsNot() throws IOException {
    Path outside = Files.createTempFile("tfew-outside", ".txt");
    try {
      Path adapter = Files.createDirectory(dir.resolve("adapter"));
      Path out = Files.createSymbolicLink(adapter.resolve("adapter_model.safetensors"), outside);
      assertThatThrownBy(() -> InputFile.insideDirectory(adapter, out))
          .hasMessageStartingWith(out + ": leads through a symbolic link to " + outside.toRealPath())
          .hasMessageContaining("outside its directory " + adapter);
      Path real = Files.writeString(adapter.resolve("real.json"), "{}");
      Path in = Files.createSymbolicLink(adapter.resolve("adapter_config.json"), real.getFileName());
      assertThat(InputFile.insideDirectory(adapter, in)).isEqualTo(in);
    } finally {
      Files.deleteIfExists(outside);
    }
  }

  @Test
  void aMissingFileSaysSo() {
    assertThatThrownBy(() -> InputFile.regular(dir.resolve("nope"), "check the path"))
        .hasMessage(dir.resolve("nope") + ": does not exist; check the path");
  }
}
