package io.tfew.peft.baselines;

import io.tfew.api.config.ConfigSection;
import java.util.List;
import io.tfew.api.model.ModulePattern;

/**
 * The options of BitFit, validated.
 *
 * @param targetModules regexes over Hugging Face module paths (full match); every linear site matched
 *     gets a zero-initialised bias on its output
 * @param trainLayerNorms whether the layer-norm scales are trained too (t-few: yes)
 */
public record BitFitConfig(List<ModulePattern> targetModules, boolean trainLayerNorms) {
  /**
   * t-few's {@code bitfit_layers: "q|k|v|o|wi_[01]|w_o"}. Its {@code w_o} matches no T5 module (the
   * output projection is {@code wo}), so t-few trained no bias on {@code wo}; tfew keeps that to
   * reproduce the paper's count. {@code wi} is added for ReLU (ungated) T5s, which t-few never ran and
   * whose first FFN projection plays the role of {@code wi_0}/{@code wi_1}.
   */
  public static final List<String> DEFAULT_TARGETS =
      List.of(".*(SelfAttention|EncDecAttention)\\.(q|k|v|o)", ".*DenseReluDense\\.(wi|wi_0|wi_1)");

  public BitFitConfig {
    targetModules = List.copyOf(targetModules);
  }

  /** Reads a validated section (keys {@code target_modules}, {@code train_layer_norms}). */
  public static BitFitConfig from(ConfigSection section) {
    return new BitFitConfig(Patterns.compile(section, "target_modules"), section.getBoolean("train_layer_norms"));
  }

  public boolean targets(String modulePath) {
    return Patterns.anyMatches(targetModules, modulePath);
  }
}
