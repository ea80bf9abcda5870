package io.tfew.api.loss;

import io.tfew.api.PluginProvider;
import io.tfew.api.config.ConfigSection;

/**
 * The service a loss registers in {@code META-INF/services/io.tfew.api.loss.LossProvider}; YAML names it
 * as a key of {@code losses:}.
 *
 * <pre>{@code
 * public final class LmLossProvider implements LossProvider {
 *   public String name() { return "lm"; }
 *   public String description() { return "token-mean cross-entropy of the gold choices"; }
 *   public List<ConfigField> configFields() { return List.of(); }
 *   public Loss create(ConfigSection c) { return new LmLoss(); }
 * }
 * }</pre>
 */
public interface LossProvider extends PluginProvider {
  Loss create(ConfigSection config);
}
