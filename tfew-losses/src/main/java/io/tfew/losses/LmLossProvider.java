package io.tfew.losses;

import io.tfew.api.config.ConfigField;
import io.tfew.api.config.ConfigSection;
import io.tfew.api.loss.Loss;
import io.tfew.api.loss.LossProvider;
import java.util.List;

/** The {@code lm} loss: token-mean cross-entropy of the gold choices ({@link LmLoss}); no options. */
public final class LmLossProvider implements LossProvider {
  @Override
  public String name() {
    return "lm";
  }

  @Override
  public String description() {
    return "L_LM: token-mean cross-entropy of the gold choices' tokens (EOS counted)";
  }

  @Override
  public List<ConfigField> configFields() {
    return List.of();
  }

  @Override
  public Loss create(ConfigSection config) {
    return new LmLoss();
  }
}
