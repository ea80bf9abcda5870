package io.tfew.core.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tfew.api.TfewException;
import io.tfew.core.files.InputFile;
import io.tfew.core.files.Utf8Text;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The one JSON Lines reader of tfew ({@code score}, {@code generate}, the training-data readers): one JSON
 * object per non-blank line, UTF-8 with an optional byte-order mark, nothing after the object.
 *
 * <p>Lines are split on bytes and each is decoded on its own, so an invalid UTF-8 byte is reported on
 * its own line (a buffered reader decodes ahead and would blame an earlier one). A line that does not
 * even start like a JSON object is reported without quoting it: the path may lead to some other file
 * entirely (a link to a password file), whose contents have no place in a message.
 *
 * <pre>{@code
 * int rows = JsonlObjects.read(file, (line, object) -> inputs.add(object.get("input").asText()));
 * }</pre>
 */
public final class JsonlObjects {
  /** Receives each object with its 1-based line number. */
  @FunctionalInterface
  public interface Row {
    void accept(int line, ObjectNode object);
  }

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

  private JsonlObjects() {}

  /**
   * Reads every non-blank line of {@code file} as one JSON object and hands it to {@code row}; returns the
   * number of objects. Errors name the file and line ({@code FILE:LINE: ...}) and say how to fix it.
   */
  public static int read(Path file, Row row) {
    InputFile.regular(file, "check the data path");
    int count = 0;
    int lineNo = 0;
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      boolean more = true;
      while (more) {
        line.reset();
        int b;
        while ((b = in.read()) != -1 && b != '\n') {
          line.write(b);
        }
        more = b != -1;
        if (!more && line.size() == 0) {
          break;
        }
        lineNo++;
        byte[] bytes = line.toByteArray();
        int start = lineNo == 1 && startsWithBom(bytes) ? BOM.length : 0;
        String text = decode(bytes, start, file, lineNo);
        if (text.isBlank()) {
          continue;
        }
        row.accept(lineNo, parse(new Where(file, lineNo), text));
        count++;
      }
    } catch (IOException e) {
      throw new TfewException(file + ": cannot be read (" + e + ")", e);
    }
    return count;
  }

  private static boolean startsWithBom(byte[] bytes) {
    return bytes.length >= 3 && bytes[0] == BOM[0] && bytes[1] == BOM[1] && bytes[2] == BOM[2];
  }

  private static String decode(byte[] bytes, int start, Path file, int lineNo) {
    String text = Utf8Text.decode(file, bytes, start, lineNo);
    // Windows line ends: the \r before \n is not part of the row.
    return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
  }

  private static ObjectNode parse(Where at, String text) {
    if (!text.stripLeading().startsWith("{")) {
      throw at.error("expected a JSON object ({...}) on each non-blank line, but this line does not start with "
          + "'{'; is this a JSON Lines file?");
    }
    JsonNode node;
    try {
      node = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      String column = e.getLocation() == null ? "" : " at column " + e.getLocation().getColumnNr();
      throw at.error("invalid JSON" + column + " (" + e.getOriginalMessage()
          + "); each non-blank line must be one complete JSON object and nothing after it");
    }
    if (!(node instanceof ObjectNode object)) {
      throw at.error("expected a JSON object on each non-blank line");
    }
    return object;
  }

}
