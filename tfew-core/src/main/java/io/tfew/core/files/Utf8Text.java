package io.tfew.core.files;

import io.tfew.api.TfewException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Strict UTF-8 decoding whose error names the line of the first bad byte. Java's decoders say only
 * "Input length = 1", and a buffered reader decodes ahead of the line it returns, so the line it was on
 * is not the line of the byte.
 *
 * <pre>{@code
 * String text = Utf8Text.decode(file, Files.readAllBytes(file), 1);
 * }</pre>
 */
public final class Utf8Text {
  private Utf8Text() {}

  /**
   * Decodes {@code bytes}, the content of {@code file} from line {@code firstLine} on; malformed input is a
   * {@link TfewException} "FILE:LINE: not valid UTF-8 (at byte B of the line); save the file as UTF-8".
   */
  public static String decode(Path file, byte[] bytes, int firstLine) {
    return decode(file, bytes, 0, firstLine);
  }

  /** As {@link #decode(Path, byte[], int)}, from {@code bytes[start]}. */
  public static String decode(Path file, byte[] bytes, int start, int firstLine) {
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes, start, bytes.length - start);
    CharBuffer out = CharBuffer.allocate(bytes.length - start);
    CoderResult result = decoder.decode(in, out, true);
    if (result.isError()) {
      int bad = in.position();
      int line = firstLine;
      int lineStart = start;
      for (int i = start; i < bad; i++) {
        if (bytes[i] == '\n') {
          line++;
          lineStart = i + 1;
        }
      }
      throw new TfewException(file + ":" + line + ": not valid UTF-8 (at byte " + (bad - lineStart + 1)
          + " of the line); save the file as UTF-8");
    }
    decoder.flush(out);
    out.flip();
    return out.toString();
  }
}
