package io.tfew.core.data;

import io.tfew.api.TfewException;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes a small text file so that readers see the old file or the new one, never half of one: the
 * text goes to a hidden sibling first, which then replaces the target.
 *
 * <pre>{@code
 * AtomicText.write(out.resolve("table.md"), markdown);
 * }</pre>
 */
public final class AtomicText {
  private AtomicText() {}

  /** Writes {@code text} to {@code target}; returns {@code target}. */
  public static Path write(Path target, String text) {
    Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
    try {
      Files.writeString(tmp, text);
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        // Some file systems cannot rename atomically; a plain replace still never exposes a partial file.
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
      return target;
    } catch (IOException e) {
      throw new TfewException(target + ": cannot write (" + e.getMessage() + ")");
    }
  }
}
