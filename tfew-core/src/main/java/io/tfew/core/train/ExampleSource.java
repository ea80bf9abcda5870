package io.tfew.core.train;

import io.tfew.core.score.EncodedExample;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The training examples, drawn anew on every access: T-Few renders each training example with a
 * template chosen at random each time it is used, so the same row meets several prompts.
 */
public interface ExampleSource {
  /** Number of distinct rows. */
  int size();

  /** Row {@code index} rendered and encoded, with any random choice made from {@code random}. */
  EncodedExample draw(int index, SplittableRandom random);

  /** Rows that are already encoded and draw the same way every time (no templates). */
  static ExampleSource of(List<EncodedExample> examples) {
    List<EncodedExample> rows = List.copyOf(examples);
    return new ExampleSource() {
      @Override
      public int size() {
        return rows.size();
      }

      @Override
      public EncodedExample draw(int index, SplittableRandom random) {
        return rows.get(index);
      }
    };
  }
}
