package com.example.ffngate;

import io.tfew.api.config.ConfigField;
import io.tfew.api.config.ConfigSection;
import io.tfew.api.peft.PeftMethod;
import io.tfew.api.peft.PeftMethodProvider;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * {@code ffn_gate}: multiplies the output of every feed-forward block by a learned scalar, one per
 * block, started at {@code init} (1: the base model unchanged). Four values on a 2+2-layer model.
 *
 * <pre>{@code
 * peft:
 *   - method: ffn_gate
 *     init: 1.0
 * }</pre>
 */
public final class FfnGateProvider implements PeftMethodProvider {
  static final String DEFAULT_TARGET = ".*\\.DenseReluDense\\.wo";

  @Override
  public String name() {
    return "ffn_gate";
  }

  @Override
  public String description() {
    return "a learned scalar gate on the output of every feed-forward block";
  }

  @Override
  public List<ConfigField> configFields() {
    return List.of(
        ConfigField.ofDouble("init", 1.0, "every gate's initial value; 1 leaves the model unchanged"),
        ConfigField.ofStrings("target_modules", List.of(DEFAULT_TARGET),
            "regexes over HF module paths (full match) of the linears whose output is gated"));
  }

  @Override
  public PeftMethod create(ConfigSection config) {
    double init = config.getDouble("init");
    if (!Double.isFinite(init)) {
      throw config.invalid("init", "must be a finite number");
    }
    List<Pattern> targets = config.getStrings("target_modules").stream().map(regex -> {
      try {
        return Pattern.compile(regex);
      } catch (PatternSyntaxException e) {
        throw config.invalid("target_modules", "'" + regex + "' is not a regular expression (" + e.getDescription() + ")");
      }
    }).toList();
    return new FfnGateMethod((float) init, targets);
  }
}
