package io.tfew.peft.baselines;

import io.tfew.api.config.ConfigField;
import io.tfew.api.config.ConfigSection;
import io.tfew.api.peft.PeftMethod;
import io.tfew.api.peft.PeftMethodProvider;
import java.util.List;

/**
 * The {@code bitfit} PEFT method (the T-Few paper's BitFit baseline): zero-initialised biases on q, k, v,
 * o, wi_0 and wi_1 of every block, trained with the layer-norm scales; 1,331,200 values on T0-3B (the
 * paper's 1.3M).
 *
 * <pre>{@code
 * peft:
 *   method: bitfit
 *   target_modules: [".*(SelfAttention|EncDecAttention)\\.(q|k|v|o)", ".*DenseReluDense\\.(wi|wi_0|wi_1)"]
 *   train_layer_norms: true
 * }</pre>
 */
public final class BitFitProvider implements PeftMethodProvider {
  @Override
  public String name() {
    return "bitfit";
  }

  @Override
  public String description() {
    return "BitFit: zero-initialised biases on the attention and FFN projections, trained with the layer norms";
  }

  @Override
  public List<ConfigField> configFields() {
    return List.of(
        ConfigField.ofStrings("target_modules", BitFitConfig.DEFAULT_TARGETS,
            "regexes over HF module paths (full match) whose linear output gets a trained bias"),
        ConfigField.ofBoolean("train_layer_norms", true, "also train the layer-norm scales (t-few does)"));
  }

  @Override
  public PeftMethod create(ConfigSection config) {
    return new BitFitMethod(BitFitConfig.from(config));
  }
}
