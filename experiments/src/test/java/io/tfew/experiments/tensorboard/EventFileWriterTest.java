package io.tfew.experiments.tensorboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tfew.api.TfewException;
import io.tfew.experiments.tensorboard.EventFileReader.Scalar;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.Event;

class EventFileWriterTest {
  @TempDir Path tmp;

  @Test
  void theMaskedCrcIsCrc32cOfTheBytesRotatedPlusTheConstant() {
    // CRC-32C's published check value: crc32c("123456789") = 0xE3069283.
    byte[] check = "123456789".getBytes(StandardCharsets.US_ASCII);
    int masked = EventFileWriter.maskedCrc32c(check, 0, check.length);
    int rotated = masked - 0xa282ead8;
    assertThat((rotated >>> 17) | (rotated << 15)).isEqualTo(0xE3069283);
  }

  @Test
  void scalarsReadBackWithTheirTagsStepsAndValuesAfterTheVersionEvent() throws IOException {
    Path file;
    try (EventFileWriter w = EventFileWriter.create(tmp.resolve("tb"))) {
      w.scalar("train/loss", 1, 2.5);
      w.scalar("train/lr", 1, 3e-3);
      w.scalar("eval/all/accuracy", 10, 0.875);
      file = w.file();
    }
    assertThat(file.getParent()).isEqualTo(tmp.resolve("tb"));
    assertThat(file.getFileName().toString()).startsWith("events.out.tfevents.");
    List<Event> events = EventFileReader.events(file);
    assertThat(events.get(0).getFileVersion()).isEqualTo("brain.Event:2");
    assertThat(events.get(0).getWallTime()).isPositive();
    assertThat(EventFileReader.scalars(file)).containsExactly(
        new Scalar("train/loss", 1, 2.5f), new Scalar("train/lr", 1, 3e-3f), new Scalar("eval/all/accuracy", 10, 0.875f));
  }

  @Test
  void eachEventIsOnDiskBeforeTheWriterCloses() throws IOException {
    try (EventFileWriter w = EventFileWriter.create(tmp)) {
      w.scalar("train/loss", 1, 1.0);
      assertThat(EventFileReader.scalars(w.file())).containsExactly(new Scalar("train/loss", 1, 1.0f));
    }
  }

  @Test
  void twoWritersInOneDirectoryGetTwoFiles() throws IOException {
    try (EventFileWriter a = EventFileWriter.create(tmp); EventFileWriter b = EventFileWriter.create(tmp)) {
      assertThat(a.file()).isNotEqualTo(b.file());
    }
    try (Stream<Path> files = Files.list(tmp)) {
      assertThat(files).hasSize(2);
    }
  }

  @Test
  void aCorruptRecordFailsItsCrc() throws IOException {
    Path file;
    try (EventFileWriter w = EventFileWriter.create(tmp)) {
      w.scalar("train/loss", 1, 1.0);
      file = w.file();
    }
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length - 6] ^= 1;
    Files.write(file, bytes);
    assertThatThrownBy(() -> EventFileReader.events(file)).hasMessageContaining("CRC of the data");
  }

  @Test
  void anUnwritableDirectoryNamesItself() throws IOException {
    Path blocker = tmp.resolve("file");
    Files.writeString(blocker, "");
    assertThatThrownBy(() -> EventFileWriter.create(blocker.resolve("tb")))
        .isInstanceOf(TfewException.class)
        .hasMessageStartingWith(blocker.resolve("tb") + ": cannot create a TensorBoard event file");
  }
}
