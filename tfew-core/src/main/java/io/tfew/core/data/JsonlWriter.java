package io.tfew.core.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tfew.api.TfewException;
import java.io.BufferedWriter;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

/**
 * Writes JSON Lines so that readers only ever see a complete file: rows go to a temporary file in
 * the target's directory (same file system, so the final rename is atomic), {@link #commit()}
 * renames it onto the target, and {@link #close()} without a commit throws the rows away and leaves
 * an existing target as it was. A crash mid-run therefore never leaves a truncated predictions or
 * metrics file behind.
 *
 * <pre>{@code
 * try (JsonlWriter out = JsonlWriter.open(dir.resolve("predictions.jsonl"))) {
 *   out.write(Map.of("id", 0, "prediction", 1));
 *   out.commit();
 * }
 * }</pre>
 *
 * <p>Not thread-safe.
 */
public final class JsonlWriter implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path target;
  private final Path temp;
  private final FileOutputStream stream;
  private final BufferedWriter writer;
  private boolean committed;
  private boolean closed;

  private JsonlWriter(Path target, Path temp, FileOutputStream stream) {
    this.target = target;
    this.temp = temp;
    this.stream = stream;
    this.writer = new BufferedWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8));
  }

  /** Starts writing towards {@code target}, whose directory must exist. */
  public static JsonlWriter open(Path target) {
    Path absolute = target.toAbsolutePath();
    Path dir = absolute.getParent();
    if (dir == null || !Files.isDirectory(dir)) {
      throw new TfewException(
          "cannot write " + target + ": directory " + dir + " does not exist; create it first");
    }
    Path temp = null;
    try {
      temp = Files.createTempFile(dir, "." + absolute.getFileName() + ".", ".tmp");
      return new JsonlWriter(absolute, temp, new FileOutputStream(temp.toFile()));
    } catch (IOException e) {
      deleteQuietly(temp);
      throw new TfewException(
          "cannot write " + target + " (" + e + "); check the directory's permissions", e);
    }
  }

  /** One row as a single JSON line, the way {@link #write} serialises it (for printing to stdout). */
  public static String toJson(Map<String, ?> row) {
    try {
      return JSON.writeValueAsString(row);
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException("row is not serialisable as JSON: " + e.getMessage(), e);
    }
  }

  /** Appends one row; values are serialised by Jackson. */
  public void write(Map<String, ?> row) {
    writeLine(row);
  }

  /** Appends one row. */
  public void write(ObjectNode row) {
    writeLine(row);
  }

  /** Makes the rows written so far the content of the target, replacing it atomically. */
  public void commit() {
    ensureOpen();
    try {
      writer.flush();
      // Sync before the rename so a power cut cannot leave the new name pointing at empty data.
      stream.getFD().sync();
      writer.close();
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      committed = true;
    } catch (IOException e) {
      throw new TfewException(
          "cannot write " + target + " (" + e + "); check free disk space and permissions", e);
    } finally {
      close();
    }
  }

  /** Discards the rows unless {@link #commit()} succeeded; safe to call more than once. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (!committed) {
      try {
        writer.close();
      } catch (IOException e) {
        // The file is being discarded, so a failure to flush it does not matter.
      }
      deleteQuietly(temp);
    }
  }

  private void writeLine(Object row) {
    ensureOpen();
    String line;
    try {
      line = JSON.writeValueAsString(row);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("row cannot be written as JSON: " + e.getMessage(), e);
    }
    try {
      writer.write(line);
      writer.write('\n');
    } catch (IOException e) {
      throw new TfewException(
          "cannot write " + target + " (" + e + "); check free disk space and permissions", e);
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("JsonlWriter for " + target + " is already closed");
    }
  }

  private static void deleteQuietly(Path path) {
    if (path != null) {
      try {
        Files.deleteIfExists(path);
      } catch (IOException e) {
        // Best effort: a leftover hidden .tmp file is harmless and names its target.
      }
    }
  }
}
