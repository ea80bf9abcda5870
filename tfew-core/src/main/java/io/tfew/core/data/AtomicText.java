package io.tfew.core.data;

import io.tfew.core.files.AtomicFile;
import java.nio.file.Path;

/**
 * Writes a small text file so that readers see the old file or the new one, never half of one, through
 * {@link AtomicFile} (which also refuses to replace anything but a regular file).
 *
 * <pre>{@code
 * AtomicText.write(out.resolve("table.md"), markdown);
 * }</pre>
 */
public final class AtomicText {
  private AtomicText() {}

  /** Writes {@code text} to {@code target} as UTF-8; returns {@code target}. */
  public static Path write(Path target, String text) {
    return AtomicFile.writeString(target, text);
  }
}
