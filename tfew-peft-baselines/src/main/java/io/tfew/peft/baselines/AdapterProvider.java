package io.tfew.peft.baselines;

import io.tfew.api.config.ConfigField;
import io.tfew.api.config.ConfigSection;
import io.tfew.api.peft.PeftMethod;
import io.tfew.api.peft.PeftMethodProvider;
import java.util.List;

/**
 * The {@code adapter} PEFT method (the T-Few paper's Adapter baseline): bottleneck adapters after every
 * FFN (t-few's placement) and the layer-norm scales; 12,934,144 values on T0-3B (the paper's 12.9M).
 *
 * <pre>{@code
 * peft:
 *   method: adapter
 *   reduction_factor: 32      # bottleneck d_model / 32
 *   self_attention: false     # Houlsby also adapts attention outputs: set both to true
 *   cross_attention: false
 *   feedforward: true
 *   train_layer_norms: true
 * }</pre>
 */
public final class AdapterProvider implements PeftMethodProvider {
  @Override
  public String name() {
    return "adapter";
  }

  @Override
  public String description() {
    return "Adapters (Houlsby et al.): residual bottleneck MLPs on sublayer outputs, after the FFN as in t-few";
  }

  @Override
  public List<ConfigField> configFields() {
    return List.of(
        ConfigField.ofInt("reduction_factor", 32, "bottleneck width is d_model / reduction_factor"),
        ConfigField.ofBoolean("self_attention", false, "adapter after every self-attention sublayer (o output)"),
        ConfigField.ofBoolean("cross_attention", false, "adapter after every cross-attention sublayer (o output)"),
        ConfigField.ofBoolean("feedforward", true, "adapter after every feed-forward sublayer (wo output)"),
        ConfigField.ofBoolean("train_layer_norms", true, "also train the layer-norm scales (t-few does)"),
        ConfigField.ofDouble("init_std", 0.02, "std of the normal init of the down projection (up starts at 0)"));
  }

  @Override
  public PeftMethod create(ConfigSection config) {
    return new AdapterMethod(AdapterConfig.from(config));
  }
}
