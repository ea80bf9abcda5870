package io.tfew.peft.prompt;

import io.tfew.api.config.ConfigException;
import io.tfew.api.model.ParameterInit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * How a soft prompt's rows start.
 *
 * <ul>
 *   <li>{@code random}: normal with standard deviation {@code init_std} (PEFT's RANDOM is an {@code nn.Embedding}
 *       default, N(0, 1)).
 *   <li>{@code vocab}: embeddings of token ids drawn uniformly from [3, 5003), T-Few's {@code sample_embed}
 *       ("the 5000 most common regular tokens"; ids 0-2 are pad, EOS and unk). The upper end is clamped to
 *       the vocabulary size for small models.
 *   <li>{@code text}: embeddings of {@code init_token_ids}, repeated to fill the prompt (PEFT's TEXT). The
 *       plugin has no tokenizer: give the ids the tokenizer produces for the text.
 *   <li>{@code class_labels}: embeddings of the answer choices' token ids ({@code init_token_ids}) first,
 *       the remaining rows sampled as in {@code vocab} (Lester et al.'s class-label init).
 * </ul>
 *
 * <p>The embedding-based inits read {@code shared.weight}, so they are {@link ParameterInit#fromBase} inits
 * that core runs after the checkpoint load. With a decoder prompt each half (encoder rows, decoder rows) is
 * filled the same way, and every task slot is drawn on its own.
 *
 * <pre>{@code
 * PromptInit init = PromptInit.parse("class_labels", "init");
 * ParameterInit p = init.parameterInit(List.of(11, 12), 1.0, 2, 10, 64, 128); // 2 halves of 10 rows
 * }</pre>
 */
public enum PromptInit {
  RANDOM, VOCAB, TEXT, CLASS_LABELS;

  /** T-Few samples ids in [3, 5003): the 5000 most frequent tokens after the special ones. */
  static final int VOCAB_LOW = 3;
  static final int VOCAB_HIGH = 5003;

  public static PromptInit parse(String value, String where) {
    try {
      return valueOf(value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(where + " = " + value + ": must be random, vocab, text or class_labels");
    }
  }

  /** The YAML spelling. */
  public String yaml() {
    return name().toLowerCase(Locale.ROOT);
  }

  boolean needsTokenIds() {
    return this == TEXT || this == CLASS_LABELS;
  }

  /**
   * Parses {@code init_token_ids}: YAML lists of strings, each holding one or more ids separated by spaces
   * or commas (the config type is a string list, so {@code "12 7 1"} and {@code ["12", "7"]} both work).
   */
  static List<Integer> parseIds(List<String> raw, String where) {
    List<Integer> ids = new ArrayList<>();
    for (String s : raw) {
      for (String part : s.trim().split("[\\s,]+")) {
        if (part.isEmpty()) {
          continue;
        }
        try {
          int id = Integer.parseInt(part);
          if (id < 0) {
            throw new NumberFormatException();
          }
          ids.add(id);
        } catch (NumberFormatException e) {
          throw new ConfigException(where + ": '" + part + "' is not a token id (a non-negative integer)");
        }
      }
    }
    return List.copyOf(ids);
  }

  /**
   * The init of a prompt parameter holding {@code slots * halves * rows} rows of width {@code d}.
   *
   * @param ids {@code init_token_ids} (text, class_labels)
   * @param std standard deviation for random
   * @param halves 1 (encoder prompt) or 2 (encoder then decoder rows)
   * @param rows rows per half ({@code num_virtual_tokens})
   * @param d the embedding width
   * @param vocab rows of {@code shared.weight}
   */
  ParameterInit parameterInit(List<Integer> ids, double std, int halves, int rows, int d, int vocab) {
    if (this == RANDOM) {
      return ParameterInit.normal(std);
    }
    for (int id : ids) {
      if (id >= vocab) {
        throw new ConfigException("init_token_ids: id " + id + " is outside the vocabulary of " + vocab + " tokens");
      }
    }
    int high = Math.min(VOCAB_HIGH, vocab);
    if ((this == VOCAB || this == CLASS_LABELS) && high <= VOCAB_LOW) {
      throw new ConfigException("init: vocab sampling needs more than " + VOCAB_LOW + " tokens, the model has " + vocab);
    }
    PromptInit mode = this;
    return ParameterInit.fromBase((values, shape, random, base) -> {
      float[] table = base.read("shared.weight");
      int blocks = values.length / (rows * d);
      for (int b = 0; b < blocks; b++) {
        for (int r = 0; r < rows; r++) {
          int id = mode.tokenFor(r, ids, random, high);
          System.arraycopy(table, id * d, values, (b * rows + r) * d, d);
        }
      }
    });
  }

  private int tokenFor(int row, List<Integer> ids, SplittableRandom random, int high) {
    switch (this) {
      case TEXT:
        return ids.get(row % ids.size());
      case CLASS_LABELS:
        return row < ids.size() ? ids.get(row) : random.nextInt(VOCAB_LOW, high);
      default:
        return random.nextInt(VOCAB_LOW, high);
    }
  }
}
