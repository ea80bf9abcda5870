package io.tfew.experiments.tensorboard;

import io.tfew.api.TfewException;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;
import org.tensorflow.proto.Event;
import org.tensorflow.proto.Summary;

/**
 * Writes a TensorBoard event file: TensorFlow's {@code Event} protos in TFRecord framing, as
 * TensorFlow's own summary writer lays them out, so {@code tensorboard --logdir} reads a run's
 * curves without TensorFlow's summary ops in the graph.
 *
 * <pre>{@code
 * try (EventFileWriter events = EventFileWriter.create(runDir.resolve("tensorboard"))) {
 *   events.scalar("train/loss", step, loss);
 * }
 * }</pre>
 *
 * <p>Each record is {@code uint64 length, uint32 masked crc32c(length), data, uint32 masked
 * crc32c(data)}, little-endian. The file opens with TensorBoard's version event
 * ({@code brain.Event:2}), and every event is flushed as it is written, so a running job's file can be
 * read at any time. A new file is created for every writer; an existing file is never reopened.
 */
public final class EventFileWriter implements AutoCloseable {
  /** The prefix TensorBoard looks for. */
  public static final String PREFIX = "events.out.tfevents.";
  private static final int MASK_DELTA = 0xa282ead8;

  private final Path file;
  private final OutputStream out;

  private EventFileWriter(Path file, OutputStream out) {
    this.file = file;
    this.out = out;
  }

  /**
   * Creates {@code dir} if needed and a new file {@code events.out.tfevents.<seconds>.<host>.<pid>} in it
   * (with a counter appended when that name is taken).
   */
  public static EventFileWriter create(Path dir) {
    long seconds = System.currentTimeMillis() / 1000;
    String base = PREFIX + seconds + "." + Host.NAME + "." + ProcessHandle.current().pid();
    try {
      Files.createDirectories(dir);
      for (int n = 0; ; n++) {
        Path file = dir.resolve(n == 0 ? base : base + "." + n);
        try {
          OutputStream out = new BufferedOutputStream(
              Files.newOutputStream(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE));
          EventFileWriter writer = new EventFileWriter(file, out);
          writer.write(Event.newBuilder().setWallTime(now()).setFileVersion("brain.Event:2").build());
          return writer;
        } catch (FileAlreadyExistsException taken) {
          // Two writers in one directory within the same second: try the next name.
        }
      }
    } catch (IOException e) {
      throw new TfewException(dir + ": cannot create a TensorBoard event file (" + e.getMessage()
          + "); check that the run directory is writable");
    }
  }

  /** The file being written. */
  public Path file() {
    return file;
  }

  /** Appends one scalar (TensorBoard's {@code simple_value}, a float) at {@code step}. */
  public void scalar(String tag, long step, double value) {
    Summary summary = Summary.newBuilder()
        .addValue(Summary.Value.newBuilder().setTag(tag).setSimpleValue((float) value))
        .build();
    write(Event.newBuilder().setWallTime(now()).setStep(step).setSummary(summary).build());
  }

  private void write(Event event) {
    byte[] data = event.toByteArray();
    ByteBuffer header = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
    header.putLong(data.length);
    header.putInt(maskedCrc32c(header.array(), 0, 8));
    ByteBuffer footer = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
    footer.putInt(maskedCrc32c(data, 0, data.length));
    try {
      out.write(header.array());
      out.write(data);
      out.write(footer.array());
      out.flush();
    } catch (IOException e) {
      throw new TfewException(file + ": cannot write a TensorBoard event (" + e.getMessage() + ")");
    }
  }

  /**
   * TFRecord's masked CRC-32C: rotated right by 15 bits plus a constant, because a CRC stored next to
   * the data it covers is a poor checksum of data that itself holds CRCs.
   */
  static int maskedCrc32c(byte[] bytes, int offset, int length) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, offset, length);
    int c = (int) crc.getValue();
    return ((c >>> 15) | (c << 17)) + MASK_DELTA;
  }

  private static double now() {
    return System.currentTimeMillis() / 1000.0;
  }

  /** Looked up once: a host without working name resolution can take seconds to answer. */
  private static final class Host {
    static final String NAME = hostName();
  }

  private static String hostName() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      host = System.getenv().getOrDefault("HOSTNAME", "localhost");
    }
    return host.replaceAll("[^A-Za-z0-9._-]", "_");
  }

  @Override
  public void close() {
    try {
      out.close();
    } catch (IOException e) {
      throw new TfewException(file + ": cannot close the TensorBoard event file (" + e.getMessage() + ")");
    }
  }
}
