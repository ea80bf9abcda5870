package io.tfew.core.train;

import io.tfew.core.score.EncodedExample;
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
}
