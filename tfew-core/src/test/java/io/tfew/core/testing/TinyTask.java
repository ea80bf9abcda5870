package io.tfew.core.testing;

import io.tfew.core.model.RandomCheckpointWriter;
import io.tfew.core.model.RandomModels;
import io.tfew.core.tokenize.WordLevelTokenizerWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A tiny random T5 (word-level vocabulary w3..w63) and a rank-classification task it can learn: is
 * the word w5 in the input? Answers "w3 w7" (yes) and "w4 w8" (no). Chance is 50%.
 */
public final class TinyTask {
  private TinyTask() {}

  /** Writes {@code dir/model/}, {@code dir/train.jsonl} (32 rows) and {@code dir/eval.jsonl} (64 rows). */
  public static void write(Path dir) throws IOException {
    Files.createDirectories(dir.resolve("model"));
    List<String> words = new ArrayList<>();
    for (int i = 3; i < 64; i++) {
      words.add("w" + i);
    }
    WordLevelTokenizerWriter.write(dir.resolve("model/tokenizer.json"), words);
    RandomCheckpointWriter.write(RandomModels.tiny(64), dir.resolve("model"), 1L);
    SplittableRandom r = new SplittableRandom(7);
    rows(dir.resolve("train.jsonl"), 32, r);
    rows(dir.resolve("eval.jsonl"), 64, r);
  }

  private static void rows(Path file, int n, SplittableRandom r) throws IOException {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      boolean positive = r.nextBoolean();
      List<String> input = new ArrayList<>();
      for (int t = 0; t < 6; t++) {
        input.add("w" + (10 + r.nextInt(50)));
      }
      if (positive) {
        input.set(r.nextInt(6), "w5");
      }
      sb.append("{\"input\": \"").append(String.join(" ", input))
          .append("\", \"choices\": [\"w3 w7\", \"w4 w8\"], \"label\": ").append(positive ? 0 : 1).append("}\n");
    }
    Files.writeString(file, sb.toString());
  }
}
