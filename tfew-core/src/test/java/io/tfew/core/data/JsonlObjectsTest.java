package io.tfew.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.tfew.api.TfewException;
import io.tfew.core.files.SpecialFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonlObjectsTest {
  @TempDir Path dir;

  private List<String> inputs(Path file) {
    List<String> seen = new ArrayList<>();
    JsonlObjects.read(file, (line, row) -> seen.add(line + ":" + row.get("input").asText()));
    return seen;
  }

  @Test
  void anInvalidUtf8ByteIsReportedOnItsOwnLine() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    bytes.write("{\"input\": \"fine\"}\n".getBytes(StandardCharsets.UTF_8));
    bytes.write(new byte[] {'{', '"', 'i', 'n', 'p', 'u', 't', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}', '\n'});
    bytes.write("{\"input\": \"also fine\"}\n".getBytes(StandardCharsets.UTF_8));
    Path file = Files.write(dir.resolve("bad.jsonl"), bytes.toByteArray());
    assertThatThrownBy(() -> inputs(file)).isInstanceOf(TfewException.class)
        .hasMessage(file + ":2: not valid UTF-8 (at byte 11 of the line); save the file as UTF-8");
  }

  @Test
  void aByteOrderMarkAndWindowsLineEndsAreAccepted() throws IOException {
    Path file = Files.writeString(dir.resolve("bom.jsonl"), "\uFEFF{\"input\": \"a\"}\r\n\r\n{\"input\": \"b\"}\r\n");
    assertThat(inputs(file)).containsExactly("1:a", "3:b");
  }

  @Test
  void trailingGarbageAfterTheObjectIsAnError() throws IOException {
    Path file = Files.writeString(dir.resolve("trail.jsonl"), "{\"input\": \"a\"} garbage\n");
    assertThatThrownBy(() -> inputs(file)).hasMessageStartingWith(file + ":1: invalid JSON");
  }

  @Test
  void aFileOfAnotherFormatIsNotQuoted() throws IOException {
    Path secret = Files.writeString(dir.resolve("passwd"), "root:x:0:0:root:/root:/bin/bash\n");
    Path link = Files.createSymbolicLink(dir.resolve("data.jsonl"), secret);
    assertThatThrownBy(() -> inputs(link)).isInstanceOf(TfewException.class)
        .hasMessageStartingWith(link + ":1: expected a JSON object")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("root").doesNotContain("bash"));
  }

  @Test
  void aFifoOrDeviceIsRefusedUnread() throws Exception {
    Path fifo = SpecialFiles.fifo(dir.resolve("rows.jsonl"));
    assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
      assertThatThrownBy(() -> inputs(fifo)).hasMessageStartingWith(fifo + ": is a FIFO");
      assertThatThrownBy(() -> inputs(Path.of("/dev/zero"))).hasMessageStartingWith("/dev/zero: is a character device");
    });
  }
}
