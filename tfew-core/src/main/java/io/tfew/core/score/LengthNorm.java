package io.tfew.core.score;

import io.tfew.api.TfewException;
import java.util.Locale;

/** How a choice's token log-probs become one score. */
public enum LengthNorm {
  /** Mean over tokens: T-Few's rank classification. */
  MEAN,
  /** Plain sum: favours short choices; the paper's "-LN" ablation. */
  SUM;

  public static LengthNorm parse(String value, String where) {
    try {
      return valueOf(value.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new TfewException(where + ": '" + value + "' is not a length normalisation; use mean or sum");
    }
  }
}
