package io.tfew.core.files;

import io.tfew.api.TfewException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Checks a file before tfew opens it for reading. Opening a FIFO blocks until someone writes to it (a
 * FIFO named {@code adapter_model.safetensors} would hang the reader), and a device such as
 * {@code /dev/zero} reads forever; so only regular files are read. A file that belongs to a directory
 * tfew treats as one unit (an adapter, a training checkpoint) must also stay inside it: a symbolic link
 * out of the directory would make {@code tfew adapter export} copy whatever it points at.
 *
 * <pre>{@code
 * Path weights = InputFile.insideDirectory(adapterDir, adapterDir.resolve("adapter_model.safetensors"));
 * try (SafetensorsReader reader = SafetensorsReader.open(weights)) { ... }
 * }</pre>
 */
public final class InputFile {
  private InputFile() {}

  /**
   * Returns {@code file} if it is a regular file, or a link to one; otherwise throws an error naming it,
   * saying what it is, and ending with {@code fix} (e.g. "pass the JSONL file").
   */
  public static Path regular(Path file, String fix) {
    FileKind kind = FileKind.followed(file);
    if (kind == FileKind.REGULAR) {
      return file;
    }
    if (kind == FileKind.ABSENT) {
      throw new TfewException(file + ": does not exist" + (Files.isSymbolicLink(file) ? " (a broken symbolic link)" : "")
          + "; " + fix);
    }
    throw new TfewException(file + ": is " + kind.words() + (Files.isSymbolicLink(file) ? " (through a symbolic link)" : "")
        + ", not a regular file; " + fix);
  }

  /**
   * Returns {@code file}, which must be a regular file inside {@code dir} once symbolic links are resolved
   * (a link to another file of the same directory is fine); otherwise throws an error naming it.
   */
  public static Path insideDirectory(Path dir, Path file) {
    regular(file, "an adapter or checkpoint directory holds its files as regular files");
    Path real;
    Path realDir;
    try {
      real = file.toRealPath();
      realDir = dir.toRealPath();
    } catch (IOException e) {
      throw new TfewException(file + ": cannot resolve (" + e.getMessage() + ")");
    }
    if (!real.startsWith(realDir)) {
      throw new TfewException(file + ": leads through a symbolic link to " + real + ", outside its directory " + dir
          + "; tfew reads (and copies) only files inside the directory: put the file itself there");
    }
    return file;
  }
}
