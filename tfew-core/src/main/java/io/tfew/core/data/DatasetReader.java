package io.tfew.core.data;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Reads a dataset file into rows laid out as Hugging Face {@code datasets} would give them, so
 * that promptsource templates (which name HF fields) render on them unchanged.
 *
 * <p>Each row maps HF field names to {@link String}, {@link Integer}, {@link Long},
 * {@link Double}, {@link Boolean}, {@link List} or {@link Map} values; class labels are the HF
 * integer ({@code -1} for unlabelled rows, as HF's SuperGLUE and promptsource use). Rows are in
 * file order and the returned lists are unmodifiable.
 *
 * <p>Implementations are stateless and thread safe. Errors are {@link io.tfew.api.TfewException}s
 * that name the file, the 1-based line, the field and a fix.
 */
@FunctionalInterface
public interface DatasetReader {
  /** All rows of {@code file}, in file order. */
  List<Map<String, Object>> read(Path file);
}
