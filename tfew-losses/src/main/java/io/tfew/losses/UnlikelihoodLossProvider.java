package io.tfew.losses;

import io.tfew.api.config.ConfigField;
import io.tfew.api.config.ConfigSection;
import io.tfew.api.loss.Loss;
import io.tfew.api.loss.LossProvider;
import java.util.List;

/**
 * The {@code unlikelihood} loss ({@link UnlikelihoodLoss}); no options, because T-Few's 1.01 constant
 * is fixed in its code too.
 */
public final class UnlikelihoodLossProvider implements LossProvider {
  @Override
  public String name() {
    return "unlikelihood";
  }

  @Override
  public String description() {
    return "L_UL, eq. (1): token mean of -log(1.01 - p) over the wrong choices' tokens";
  }

  @Override
  public List<ConfigField> configFields() {
    return List.of();
  }

  @Override
  public Loss create(ConfigSection config) {
    return new UnlikelihoodLoss();
  }
}
