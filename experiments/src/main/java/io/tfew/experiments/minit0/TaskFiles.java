package io.tfew.experiments.minit0;

import io.tfew.api.TfewException;
import io.tfew.core.data.AtomicText;
import io.tfew.core.data.JsonlWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * Writes the held-out tasks in T-Few's few-shot layout, readable by {@code tfew train} with
 * {@code data.train.format: fewshot-jsonl}:
 * <pre>
 *   DIR/&lt;family&gt;/templates.yaml            promptsource templates
 *   DIR/&lt;family&gt;/test.jsonl                 {@value #TEST_SIZE} rows, labels balanced
 *   DIR/&lt;family&gt;/32_shot/&lt;seed&gt;_seed.jsonl  32 rows per few-shot seed, none of them in test.jsonl
 *   DIR/&lt;family&gt;/validation.jsonl           {@value #VALIDATION_SIZE} rows, labels balanced, in no other file
 * </pre>
 * Rows are distinct within each file; a family may have few distinct rows (positive_choice has 512), so
 * the few-shot samples are drawn from the rows the test set did not take. The validation rows, on which
 * {@code tfew demo --tune} chooses learning rates, are drawn last, from the rows neither the test set nor
 * any few-shot sample took: tuning never sees a test row or a training row, and the test set and samples
 * are the bytes they were before validation sets existed.
 */
public final class TaskFiles {
  public static final int TEST_SIZE = 300;
  public static final int SHOTS = 32;
  public static final int VALIDATION_SIZE = 100;
  public static final List<Integer> FEW_SHOT_SEEDS = List.of(0, 1, 2);
  private static final int MAX_TRIES = 100_000;

  private TaskFiles() {}

  /** Writes every held-out family under {@code dir}; the same seed gives the same bytes. */
  public static void write(Path dir, long seed) {
    List<HeldOutFamily> families = HeldOutFamilies.all();
    for (int f = 0; f < families.size(); f++) {
      HeldOutFamily family = families.get(f);
      Path out = dir.resolve(family.name());
      createDirectories(out.resolve(SHOTS + "_shot"));
      AtomicText.write(out.resolve("templates.yaml"), templatesYaml(family));
      Set<String> taken = new HashSet<>();
      writeRows(out.resolve("test.jsonl"), rows(family, TEST_SIZE, new SplittableRandom(mix(seed, f, -1)), taken));
      Set<String> used = new HashSet<>(taken);
      for (int s : FEW_SHOT_SEEDS) {
        Set<String> seen = new HashSet<>(taken);
        writeRows(out.resolve(SHOTS + "_shot").resolve(s + "_seed.jsonl"),
            rows(family, SHOTS, new SplittableRandom(mix(seed, f, s)), seen));
        used.addAll(seen);
      }
      writeRows(out.resolve("validation.jsonl"),
          rows(family, VALIDATION_SIZE, new SplittableRandom(mix(seed, f, -2)), used));
    }
  }

  /** {@code n} distinct rows, labels alternating 0, 1, ..., none of whose keys is in {@code taken} (updated). */
  static List<Map<String, Object>> rows(HeldOutFamily family, int n, SplittableRandom random, Set<String> taken) {
    List<Map<String, Object>> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int label = i % 2;
      for (int tries = 0; ; tries++) {
        if (tries == MAX_TRIES) {
          throw new TfewException("mini-T0 family " + family.name() + ": cannot find " + n
              + " distinct rows; it has too few distinct prompts for this many examples");
        }
        Map<String, Object> row = new LinkedHashMap<>(family.rows().sample(label, random));
        row.put("label", label);
        if (taken.add(JsonlWriter.toJson(row))) {
          out.add(row);
          break;
        }
      }
    }
    return out;
  }

  static String templatesYaml(HeldOutFamily family) {
    StringBuilder y = new StringBuilder();
    y.append("# mini-T0 held-out family '").append(family.name()).append("': ").append(family.description())
        .append(".\n# Written by `tfew minit0 tasks`; do not edit by hand.\n");
    y.append("dataset: mini_t0\nsubset: ").append(family.name()).append("\ntemplates:\n");
    for (HeldOutFamily.Template t : family.templates()) {
      String id = UUID.nameUUIDFromBytes(("mini-t0/" + family.name() + "/" + t.name())
          .getBytes(StandardCharsets.UTF_8)).toString();
      y.append("  ").append(id).append(": !Template\n");
      y.append("    answer_choices: ").append(quote(t.answerChoices())).append('\n');
      y.append("    id: ").append(id).append('\n');
      y.append("    jinja: ").append(quote(t.jinja())).append('\n');
      y.append("    metadata: !TemplateMetadata\n");
      y.append("      choices_in_prompt: true\n      languages:\n      - en\n      metrics:\n      - Accuracy\n");
      y.append("      original_task: true\n");
      y.append("    name: ").append(quote(t.name())).append('\n');
      y.append("    reference: mini-T0\n");
    }
    return y.toString();
  }

  private static String quote(String s) {
    return "'" + s.replace("'", "''") + "'";
  }

  private static long mix(long seed, int family, int sample) {
    return seed * 0x9E3779B97F4A7C15L + family * 1_000_003L + sample;
  }

  private static void writeRows(Path file, List<Map<String, Object>> rows) {
    try (JsonlWriter w = JsonlWriter.open(file)) {
      rows.forEach(w::write);
      w.commit();
    }
  }

  private static void createDirectories(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new TfewException(dir + ": cannot create the directory (" + e.getMessage() + ")");
    }
  }
}
