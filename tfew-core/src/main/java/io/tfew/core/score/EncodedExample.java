package io.tfew.core.score;

import java.util.List;

/**
 * A rank-classification example as token ids.
 *
 * @param inputIds the input, EOS included
 * @param choiceIds each answer choice, EOS included, at least one token each
 * @param label gold choice index, or -1 when unknown
 * @param task task slot for multi-adapter runs (0 otherwise)
 */
public record EncodedExample(int[] inputIds, List<int[]> choiceIds, int label, int task) {
  public EncodedExample {
    if (inputIds.length == 0) {
      throw new IllegalArgumentException("an example needs at least one input token");
    }
    if (choiceIds.isEmpty()) {
      throw new IllegalArgumentException("an example needs at least one answer choice");
    }
    for (int[] c : choiceIds) {
      if (c.length == 0) {
        throw new IllegalArgumentException("an answer choice needs at least one token");
      }
    }
    choiceIds = List.copyOf(choiceIds);
  }
}
