package io.tfew.losses;

import io.tfew.api.config.ConfigField;
import io.tfew.api.config.ConfigSection;
import io.tfew.api.loss.Loss;
import io.tfew.api.loss.LossProvider;
import java.util.List;

/**
 * The {@code length_norm} loss ({@link LengthNormLoss}), with T-Few's one option, {@code exponent}
 * (T-Few's config key {@code length_norm}): {@code beta = (sum of token log-probs) / T^exponent}.
 * The default 1 is the paper's mean, eq. (2), and what T-Few's (IA)^3 recipe uses.
 */
public final class LengthNormLossProvider implements LossProvider {
  @Override
  public String name() {
    return "length_norm";
  }

  @Override
  public String description() {
    return "L_LN, eqs. (2)-(3): softmax cross-entropy over the choices' length-normalized log-probs";
  }

  @Override
  public List<ConfigField> configFields() {
    return List.of(ConfigField.ofDouble("exponent", 1.0,
        "T-Few's length_norm: beta = (sum of token log-probs) / T^exponent; 1 is the paper's mean (eq. 2),"
            + " 0 the plain sum"));
  }

  @Override
  public Loss create(ConfigSection config) {
    double exponent = config.getDouble("exponent");
    if (!(exponent >= 0) || Double.isInfinite(exponent)) {
      throw config.invalid("exponent", "must be a finite number >= 0");
    }
    return new LengthNormLoss(exponent);
  }
}
