package io.tfew.api.eval;

import io.tfew.api.PluginProvider;
import io.tfew.api.config.ConfigSection;

/**
 * The service a metric registers in {@code META-INF/services/io.tfew.api.eval.EvaluatorProvider}; YAML
 * lists it under {@code eval.metrics}.
 *
 * <pre>{@code
 * public final class AccuracyProvider implements EvaluatorProvider {
 *   public String name() { return "accuracy"; }
 *   public String description() { return "fraction of labelled examples predicted right"; }
 *   public List<ConfigField> configFields() { return List.of(); }
 *   public Evaluator create(ConfigSection c) { return new Accuracy(); }
 * }
 * }</pre>
 */
public interface EvaluatorProvider extends PluginProvider {
  Evaluator create(ConfigSection config);
}
