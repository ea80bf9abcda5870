package io.tfew.peft.baselines;

import io.tfew.api.config.ConfigField;
import io.tfew.api.config.ConfigSection;
import io.tfew.api.peft.PeftMethod;
import io.tfew.api.peft.PeftMethodProvider;
import java.util.List;

/**
 * The {@code prefix_tuning} PEFT method (the T-Few paper's prefix-tuning baseline): trained key/value
 * prefixes for every attention layer. With t-few's 2 virtual tokens its final prefixes on T0-3B are
 * 589,824 values, the paper's "576K" in binary thousands (576 x 1024); training through t-few's MLP
 * updates 154,449,408 values (see {@link PrefixTuningMethod}).
 *
 * <pre>{@code
 * peft:
 *   method: prefix_tuning
 *   num_virtual_tokens: 2
 *   reparameterize: true        # t-few's mlp-512; export with PrefixExport
 *   encoder_hidden_size: 512
 * }</pre>
 */
public final class PrefixTuningProvider implements PeftMethodProvider {
  @Override
  public String name() {
    return "prefix_tuning";
  }

  @Override
  public String description() {
    return "Prefix tuning (Li & Liang): trained key/value prefixes on every attention layer, optionally via an MLP";
  }

  @Override
  public List<ConfigField> configFields() {
    return List.of(
        ConfigField.ofInt("num_virtual_tokens", 2, "prefix length n of every attention layer"),
        ConfigField.ofBoolean("reparameterize", true,
            "train through an embedding and a tanh MLP (t-few's mlp-512) instead of the prefixes themselves"),
        ConfigField.ofInt("encoder_hidden_size", 512, "hidden width of the reparameterisation MLP"));
  }

  @Override
  public PeftMethod create(ConfigSection config) {
    return new PrefixTuningMethod(PrefixTuningConfig.from(config));
  }
}
