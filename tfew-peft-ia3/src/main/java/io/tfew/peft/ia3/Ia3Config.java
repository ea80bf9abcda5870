package io.tfew.peft.ia3;

import io.tfew.api.config.ConfigException;
import io.tfew.api.config.ConfigSection;
import io.tfew.api.model.ModulePattern;
import java.util.List;

/**
 * The options of (IA)^3, validated.
 *
 * <pre>{@code
 * // YAML:  peft: {method: ia3, target_modules: [".*SelfAttention\\.(k|v)"], feedforward: true, init: ones}
 * Ia3Config c = Ia3Config.from(section);
 * boolean scaled = c.targets("encoder.block.0.layer.0.SelfAttention.k");   // true
 * }</pre>
 *
 * @param targetModules regexes over Hugging Face module paths, each matched against the whole path;
 *     the output of every linear site that one of them matches is rescaled ({@code l_k}, {@code l_v})
 * @param feedforward whether the FFN inner activation (the input of {@code wo}) is rescaled ({@code l_ff})
 * @param init {@code ones}, or the path of a t-few {@code .pt} or a PEFT {@code adapter_model.safetensors}
 */
public record Ia3Config(List<String> targetModules, boolean feedforward, String init) {
  /** T-Few's placement: keys and values of every self- and cross-attention. */
  public static final List<String> DEFAULT_TARGETS = List.of(".*(SelfAttention|EncDecAttention)\\.(k|v)");
  public static final String INIT_ONES = "ones";

  public Ia3Config {
    targetModules = List.copyOf(targetModules);
    for (String regex : targetModules) {
      ModulePattern.compile(regex, "ia3.target_modules");
    }
    if (targetModules.isEmpty() && !feedforward) {
      // Nothing could ever be rescaled: core would only say "matched no site", this says why.
      throw new ConfigException("ia3: target_modules is empty and feedforward is false, so no vector would be "
          + "trained; list modules (e.g. " + DEFAULT_TARGETS.get(0) + ") or set feedforward: true");
    }
    if (init == null || init.isBlank()) {
      throw new ConfigException("ia3.init: must be 'ones' or the path of a .pt or .safetensors file of vectors");
    }
  }

  /** T-Few's defaults: k and v of every attention, and the FFN activation; vectors start at one. */
  public static Ia3Config defaults() {
    return new Ia3Config(DEFAULT_TARGETS, true, INIT_ONES);
  }

  /** Reads a validated section (keys {@code target_modules}, {@code feedforward}, {@code init}). */
  public static Ia3Config from(ConfigSection section) {
    List<String> targets = section.getStrings("target_modules");
    for (String regex : targets) {
      ModulePattern.compile(regex, section.path() + ".target_modules");
    }
    String init = section.getString("init");
    if (init.isBlank()) {
      throw section.invalid("init", "must be 'ones' or the path of a .pt or .safetensors file of vectors");
    }
    return new Ia3Config(targets, section.getBoolean("feedforward"), init);
  }

  /** Whether the linear site at {@code modulePath} is rescaled: some pattern matches the whole path. */
  public boolean targets(String modulePath) {
    for (String regex : targetModules) {
      if (ModulePattern.compile(regex, "ia3.target_modules").matches(modulePath)) {
        return true;
      }
    }
    return false;
  }

  /** Whether the vectors start from a file rather than at one. */
  public boolean pretrained() {
    return !INIT_ONES.equals(init);
  }
}
