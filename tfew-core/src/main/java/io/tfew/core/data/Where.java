package io.tfew.core.data;

import io.tfew.api.TfewException;
import java.nio.file.Path;

/** A file and 1-based line, so that every reader's errors start the same way. */
record Where(Path file, int line) {
  TfewException error(String message) {
    return new TfewException(file + ":" + line + ": " + message);
  }
}
