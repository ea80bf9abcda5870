package io.tfew.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tfew.api.TfewException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicTextTest {
  @TempDir Path dir;

  @Test
  void replacesTheTargetAndLeavesNoTemporaryFile() throws IOException {
    Path target = dir.resolve("table.md");
    Files.writeString(target, "old");
    assertThat(AtomicText.write(target, "new")).isEqualTo(target);
    assertThat(Files.readString(target)).isEqualTo("new");
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("table.md");
    }
  }

  @Test
  void aTargetThatCannotBeWrittenIsAnErrorNamingIt() {
    Path target = dir.resolve("missing-dir").resolve("table.md");
    assertThatThrownBy(() -> AtomicText.write(target, "x")).isInstanceOf(TfewException.class)
        .hasMessageStartingWith(target + ": cannot write");
  }
}
