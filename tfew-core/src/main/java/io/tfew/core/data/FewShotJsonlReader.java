package io.tfew.core.data;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Reads T-Few's few-shot subsets ({@code data/few_shot/<task>/<K>_shot/<seed>_seed.jsonl}): one
 * JSON object per line holding the Hugging Face dataset's own fields plus an integer
 * {@code label} and {@code idx}. Fields are kept as they are (their names already match the
 * promptsource templates); {@code label} must be an integer.
 */
public final class FewShotJsonlReader implements DatasetReader {

  @Override
  public List<Map<String, Object>> read(Path file) {
    return JsonlRows.read(
        file,
        (at, json) -> {
          JsonlRows.integer(at, json, "label"); // validates: present and an integer
          return JsonlRows.plain(json);
        });
  }
}
