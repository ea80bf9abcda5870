package io.tfew.peft.baselines;

import io.tfew.api.config.ConfigField;
import io.tfew.api.config.ConfigSection;
import io.tfew.api.peft.PeftMethod;
import io.tfew.api.peft.PeftMethodProvider;
import java.util.List;

/**
 * The {@code full} method (the T-Few paper's "Full model fine-tuning" baseline): every base weight is
 * trained and saved. It takes no options.
 *
 * <pre>{@code
 * peft:
 *   method: full
 * }</pre>
 */
public final class FullProvider implements PeftMethodProvider {
  @Override
  public String name() {
    return "full";
  }

  @Override
  public String description() {
    return "Full fine-tuning: every weight of the base model is trained and saved";
  }

  @Override
  public List<ConfigField> configFields() {
    return List.of();
  }

  @Override
  public PeftMethod create(ConfigSection config) {
    return new FullMethod();
  }
}
