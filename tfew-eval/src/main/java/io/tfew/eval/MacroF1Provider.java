package io.tfew.eval;

import io.tfew.api.config.ConfigField;
import io.tfew.api.config.ConfigSection;
import io.tfew.api.eval.Evaluator;
import io.tfew.api.eval.EvaluatorProvider;
import java.util.List;

/** The {@code macro_f1} metric ({@link MacroF1}); no options. */
public final class MacroF1Provider implements EvaluatorProvider {
  @Override
  public String name() {
    return "macro_f1";
  }

  @Override
  public String description() {
    return "macro-averaged F1 over the classes among labels and predictions (sklearn average='macro')";
  }

  @Override
  public List<ConfigField> configFields() {
    return List.of();
  }

  @Override
  public Evaluator create(ConfigSection config) {
    return new MacroF1();
  }
}
