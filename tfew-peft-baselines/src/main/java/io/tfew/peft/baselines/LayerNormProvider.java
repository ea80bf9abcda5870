package io.tfew.peft.baselines;

import io.tfew.api.config.ConfigField;
import io.tfew.api.config.ConfigSection;
import io.tfew.api.peft.PeftMethod;
import io.tfew.api.peft.PeftMethodProvider;
import java.util.List;

/**
 * The {@code layernorm} PEFT method (the T-Few paper's "LayerNorm" baseline): trains the layer-norm
 * scales only, 249,856 values on T0-3B (the paper's 250K). It takes no options.
 *
 * <pre>{@code
 * peft:
 *   method: layernorm
 * }</pre>
 */
public final class LayerNormProvider implements PeftMethodProvider {
  @Override
  public String name() {
    return "layernorm";
  }

  @Override
  public String description() {
    return "LayerNorm tuning: trains only the layer-norm scales of the base model";
  }

  @Override
  public List<ConfigField> configFields() {
    return List.of();
  }

  @Override
  public PeftMethod create(ConfigSection config) {
    return new LayerNormMethod();
  }
}
