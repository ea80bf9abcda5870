package io.tfew.experiments.tensorboard;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.tensorflow.proto.Event;

/**
 * Reads TensorBoard event files back for tests, checking both CRCs of every record the way
 * TensorBoard's reader does. It unmasks rather than re-masks, so it does not share the writer's code.
 */
public final class EventFileReader {
  private EventFileReader() {}

  /** A scalar summary value with its step. */
  public record Scalar(String tag, long step, float value) {}

  /** The single event file in {@code dir}; fails when there is none or more than one. */
  public static Path onlyFile(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      List<Path> events = files.filter(f -> f.getFileName().toString().startsWith("events.out.tfevents.")).toList();
      if (events.size() != 1) {
        throw new AssertionError("expected one event file in " + dir + ", found " + events);
      }
      return events.get(0);
    }
  }

  /** Every event of {@code file}, in order; throws on a bad length, CRC or trailing bytes. */
  public static List<Event> events(Path file) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    List<Event> events = new ArrayList<>();
    while (b.hasRemaining()) {
      if (b.remaining() < 12) {
        throw new AssertionError(file + ": " + b.remaining() + " trailing bytes");
      }
      byte[] lengthBytes = new byte[8];
      b.get(lengthBytes);
      long length = ByteBuffer.wrap(lengthBytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
      check(file, "length", lengthBytes, b.getInt());
      if (length < 0 || length > b.remaining() - 4) {
        throw new AssertionError(file + ": record length " + length + " runs past the end");
      }
      byte[] data = new byte[(int) length];
      b.get(data);
      check(file, "data", data, b.getInt());
      events.add(Event.parseFrom(data));
    }
    return events;
  }

  /** The scalar values of {@code file}'s events, in order. */
  public static List<Scalar> scalars(Path file) throws IOException {
    List<Scalar> out = new ArrayList<>();
    for (Event e : events(file)) {
      if (e.hasSummary()) {
        e.getSummary().getValueList().forEach(v -> out.add(new Scalar(v.getTag(), e.getStep(), v.getSimpleValue())));
      }
    }
    return out;
  }

  private static void check(Path file, String what, byte[] bytes, int masked) {
    int rotated = masked - 0xa282ead8;
    int crc = (rotated >>> 17) | (rotated << 15);
    CRC32C expected = new CRC32C();
    expected.update(bytes);
    if (crc != (int) expected.getValue()) {
      throw new AssertionError(file + ": CRC of the " + what + " does not match");
    }
  }
}
