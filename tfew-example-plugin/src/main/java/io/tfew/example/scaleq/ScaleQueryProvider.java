package io.tfew.example.scaleq;

import io.tfew.api.config.ConfigField;
import io.tfew.api.config.ConfigSection;
import io.tfew.api.peft.PeftMethod;
import io.tfew.api.peft.PeftMethodProvider;
import java.util.List;

/**
 * {@code scale_q}: multiplies the output of every attention query projection by a constant. Not a
 * useful method, but the smallest complete one: a name, a declared config, a rewrite.
 */
public final class ScaleQueryProvider implements PeftMethodProvider {
  @Override
  public String name() {
    return "scale_q";
  }

  @Override
  public String description() {
    return "example plugin: multiplies every attention query by a constant";
  }

  @Override
  public List<ConfigField> configFields() {
    return List.of(ConfigField.ofDouble("factor", 2.0, "the constant every query is multiplied by"));
  }

  @Override
  public PeftMethod create(ConfigSection config) {
    double factor = config.getDouble("factor");
    if (!Double.isFinite(factor)) {
      throw config.invalid("factor", "must be a finite number");
    }
    return new ScaleQueryMethod((float) factor);
  }
}
