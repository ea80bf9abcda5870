package io.tfew.core.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tfew.core.files.AtomicFile;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes JSON Lines so that readers only ever see a complete file: rows go to a temporary file in
 * the target's directory through {@link AtomicFile} (same file system, so the final rename is atomic), {@link #commit()}
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
  private final AtomicFile.Pending file;
  private final BufferedWriter writer;
  private boolean closed;

  private JsonlWriter(Path target, AtomicFile.Pending file) {
    this.target = target;
    this.file = file;
    this.writer = new BufferedWriter(new OutputStreamWriter(file.stream(), StandardCharsets.UTF_8));
  }

  /** Starts writing towards {@code target}, whose directory must exist and which must not be a device, FIFO or link. */
  public static JsonlWriter open(Path target) {
    return new JsonlWriter(target, AtomicFile.open(target));
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
    } catch (IOException e) {
      close();
      throw file.failure(e);
    }
    closed = true;
    file.commit();
  }

  /** Discards the rows unless {@link #commit()} succeeded; safe to call more than once. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    file.close();
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
      throw file.failure(e);
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("JsonlWriter for " + target + " is already closed");
    }
  }
}
