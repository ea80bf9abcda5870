package io.tfew.core.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tfew.api.TfewException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class Utf8TextTest {
  private static final Path FILE = Path.of("data.csv");

  @Test
  void decodesValidText() {
    assertThat(Utf8Text.decode(FILE, "a,é\nb,ü\n".getBytes(StandardCharsets.UTF_8), 1)).isEqualTo("a,é\nb,ü\n");
  }

  @Test
  void namesTheLineAndByteOfTheFirstBadByte() {
    byte[] bytes = {'a', ',', 'b', '\n', 'c', 'd', (byte) 0xC3, '(', '\n', (byte) 0xFF, '\n'};
    assertThatThrownBy(() -> Utf8Text.decode(FILE, bytes, 1)).isInstanceOf(TfewException.class)
        .hasMessage("data.csv:2: not valid UTF-8 (at byte 3 of the line); save the file as UTF-8");
    assertThatThrownBy(() -> Utf8Text.decode(FILE, bytes, 4, 7)).hasMessageStartingWith("data.csv:7: not valid UTF-8");
  }
}
