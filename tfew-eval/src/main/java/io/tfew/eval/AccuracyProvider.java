package io.tfew.eval;

import io.tfew.api.config.ConfigField;
import io.tfew.api.config.ConfigSection;
import io.tfew.api.eval.Evaluator;
import io.tfew.api.eval.EvaluatorProvider;
import java.util.List;

/** The {@code accuracy} metric ({@link Accuracy}); no options. */
public final class AccuracyProvider implements EvaluatorProvider {
  @Override
  public String name() {
    return "accuracy";
  }

  @Override
  public String description() {
    return "fraction of labelled examples whose predicted choice is the label";
  }

  @Override
  public List<ConfigField> configFields() {
    return List.of();
  }

  @Override
  public Evaluator create(ConfigSection config) {
    return new Accuracy();
  }
}
