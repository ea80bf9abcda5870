package io.tfew.peft.baselines;

import io.tfew.api.config.ConfigException;
import io.tfew.api.config.ConfigSection;

/**
 * The options of prefix tuning, validated.
 *
 * @param numVirtualTokens prefix length {@code n} of every attention layer. t-few sets the input and
 *     target prefix lengths to the token counts of its init text {@code "Question:"} / {@code "Answer:"},
 *     2 each with the T5 tokenizer ({@code ▁Question :}, {@code ▁Answer :}), so 2 is the default; it is
 *     what makes the T0-3B count comparable with the paper's 576K
 * @param reparameterize train through t-few's {@code mlp-512} (an embedding {@code [n, d_model]} and a
 *     two-layer tanh MLP per attention group) rather than the prefixes themselves
 * @param encoderHiddenSize the MLP's hidden width (t-few's {@code mlp-512}; PEFT's {@code encoder_hidden_size})
 */
public record PrefixTuningConfig(int numVirtualTokens, boolean reparameterize, int encoderHiddenSize) {
  public PrefixTuningConfig {
    if (numVirtualTokens < 1) {
      throw new ConfigException("prefix_tuning.num_virtual_tokens = " + numVirtualTokens + ": must be >= 1");
    }
    if (encoderHiddenSize < 1) {
      throw new ConfigException("prefix_tuning.encoder_hidden_size = " + encoderHiddenSize + ": must be >= 1");
    }
  }

  /** Reads a validated section; range errors name the key with the section's path. */
  public static PrefixTuningConfig from(ConfigSection s) {
    if (s.getInt("num_virtual_tokens") < 1) {
      throw s.invalid("num_virtual_tokens", "must be >= 1");
    }
    if (s.getInt("encoder_hidden_size") < 1) {
      throw s.invalid("encoder_hidden_size", "must be >= 1");
    }
    return new PrefixTuningConfig(s.getInt("num_virtual_tokens"), s.getBoolean("reparameterize"),
        s.getInt("encoder_hidden_size"));
  }
}
