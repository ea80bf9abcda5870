package io.tfew.core.score;

import io.tfew.core.data.RankExample;
import io.tfew.core.tokenize.T5Tokenizer;
import java.util.ArrayList;
import java.util.List;

/**
 * Tokenizes rank-classification rows: the input and each answer choice separately, EOS appended.
 *
 * <pre>{@code
 * List<EncodedExample> encoded = ExampleEncoder.encodeAll(RankDataReader.read(Path.of("rte.jsonl")), tokenizer);
 * }</pre>
 */
public final class ExampleEncoder {
  private ExampleEncoder() {}

  public static EncodedExample encode(RankExample row, T5Tokenizer tokenizer, int task) {
    List<int[]> choices = new ArrayList<>(row.choices().size());
    for (String c : row.choices()) {
      choices.add(tokenizer.encode(c));
    }
    return new EncodedExample(tokenizer.encode(row.input()), choices, row.label().orElse(-1), task);
  }

  public static List<EncodedExample> encodeAll(List<RankExample> rows, T5Tokenizer tokenizer) {
    List<EncodedExample> out = new ArrayList<>(rows.size());
    for (RankExample r : rows) {
      out.add(encode(r, tokenizer, 0));
    }
    return out;
  }
}
