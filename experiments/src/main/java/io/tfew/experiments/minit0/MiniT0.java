package io.tfew.experiments.minit0;

import java.nio.file.Path;
import java.util.List;

/**
 * Mini-T0: a miniature of the T0 recipe on synthetic text-to-text tasks over a 175-word vocabulary.
 * Twelve training families pre-train a small T5 ({@code tfew pretrain}); three held-out families, fixed
 * before any measurement, test few-shot adaptation through the ordinary {@code tfew train} path.
 *
 * <pre>{@code
 * MiniT0.writeTasks(Path.of("experiments/mini-t0/tasks"), 0);  // <family>/{templates.yaml,test.jsonl,32_shot/}
 * List<String> heldOut = MiniT0.heldOutFamilies();             // [rating, not_like, positive_choice]
 * }</pre>
 */
public final class MiniT0 {
  private MiniT0() {}

  /** Names of the held-out families: the directories {@link #writeTasks} creates. */
  public static List<String> heldOutFamilies() {
    return HeldOutFamilies.all().stream().map(HeldOutFamily::name).toList();
  }

  /** Names of the pre-training families. */
  public static List<String> trainingFamilies() {
    return TrainingFamilies.all().stream().map(TaskFamily::name).toList();
  }

  /** Every word of the vocabulary, in token-id order from id 3. */
  public static List<String> words() {
    return Vocabulary.words();
  }

  /** Writes the held-out task files under {@code dir} (see {@link TaskFiles}). */
  public static void writeTasks(Path dir, long seed) {
    TaskFiles.write(dir, seed);
  }
}
