package io.tfew.peft.lora;

import io.tfew.api.config.ConfigException;
import io.tfew.api.config.ConfigSection;
import java.util.List;
import io.tfew.api.model.ModulePattern;

/**
 * The options of LoRA, validated.
 *
 * <pre>{@code
 * // YAML:  peft: {method: lora, r: 4, alpha: 8, target_modules: [".*SelfAttention\\.(q|v)"]}
 * LoraConfig c = LoraConfig.from(section);
 * c.scaling();                                                   // 2.0 = alpha / r
 * c.targets("encoder.block.0.layer.0.SelfAttention.q");          // true
 * }</pre>
 *
 * @param r rank of the update, at least 1
 * @param alpha scaling numerator: the update is multiplied by {@code alpha / r} ({@code alpha / sqrt(r)} with rsLoRA)
 * @param useRslora rank-stabilised scaling (Kalajdzievski 2023), PEFT's {@code use_rslora}
 * @param dropout dropout rate on the input of the low-rank branch, training graphs only; in [0, 1)
 * @param targetModules regexes over Hugging Face module paths, each matched against the whole path
 * @param trainLayerNorms also train every {@code layer_norm.weight} of the base model (T-Few's LoRA baseline)
 * @param init {@code default} (PEFT's: Kaiming-uniform A, zero B) or {@code gaussian} (A ~ N(0, 1/r), zero B)
 * @param merge fold {@code scaling * B A} into the frozen weight instead of adding a separate branch
 */
public record LoraConfig(int r, double alpha, boolean useRslora, double dropout, List<String> targetModules,
    boolean trainLayerNorms, String init, boolean merge) {
  /** The default placement, and PEFT's default for model type t5: q and v of every attention. */
  public static final List<String> DEFAULT_TARGETS = List.of(".*(SelfAttention|EncDecAttention)\\.(q|v)");
  /**
   * The T-Few paper's LoRA comparison (Table 4, 9.1M parameters on T0-3B): every linear of attention and
   * FFN, with {@code r: 4} and {@code train_layer_norms: true}.
   */
  public static final List<String> ALL_LINEAR_TARGETS = List.of(
      ".*(SelfAttention|EncDecAttention)\\.(q|k|v|o)", ".*DenseReluDense\\.(wi|wi_0|wi_1|wo)");
  public static final String INIT_DEFAULT = "default";
  public static final String INIT_GAUSSIAN = "gaussian";

  public LoraConfig {
    targetModules = List.copyOf(targetModules);
    if (r < 1) {
      throw new ConfigException("lora.r = " + r + ": the rank must be at least 1");
    }
    if (!Double.isFinite(alpha)) {
      throw new ConfigException("lora.alpha = " + alpha + ": must be a finite number");
    }
    if (!(dropout >= 0 && dropout < 1)) {
      throw new ConfigException("lora.dropout = " + dropout + ": must be in [0, 1)");
    }
    for (String regex : targetModules) {
      ModulePattern.compile(regex, "lora.target_modules");
    }
    if (targetModules.isEmpty() && !trainLayerNorms) {
      throw new ConfigException("lora: target_modules is empty and train_layer_norms is false, so nothing would "
          + "be trained; list modules (e.g. " + DEFAULT_TARGETS.get(0) + ")");
    }
    if (!INIT_DEFAULT.equals(init) && !INIT_GAUSSIAN.equals(init)) {
      throw new ConfigException("lora.init = " + init + ": must be '" + INIT_DEFAULT + "' or '" + INIT_GAUSSIAN + "'");
    }
  }

  /** The defaults: r 4, alpha 8 (scaling 2), q and v of every attention, no dropout. */
  public static LoraConfig defaults() {
    return new LoraConfig(4, 8.0, false, 0.0, DEFAULT_TARGETS, false, INIT_DEFAULT, false);
  }

  /** Reads a validated section; range errors name the section's YAML path. */
  public static LoraConfig from(ConfigSection s) {
    try {
      return new LoraConfig(s.getInt("r"), s.getDouble("alpha"), s.getBoolean("use_rslora"), s.getDouble("dropout"),
          s.getStrings("target_modules"), s.getBoolean("train_layer_norms"), s.getString("init"),
          s.getBoolean("merge"));
    } catch (ConfigException e) {
      // Same checks as the constructor, reported against the YAML section the user wrote.
      String message = e.getMessage().startsWith("lora") ? e.getMessage().replaceFirst("^lora", s.path())
          : e.getMessage();
      throw new ConfigException(message);
    }
  }

  /** The factor of the low-rank update: {@code alpha / r}, or {@code alpha / sqrt(r)} with rsLoRA. */
  public double scaling() {
    return useRslora ? alpha / Math.sqrt(r) : alpha / r;
  }

  /** Whether the linear site at {@code modulePath} gets an update: some pattern matches the whole path. */
  public boolean targets(String modulePath) {
    for (String regex : targetModules) {
      if (ModulePattern.compile(regex, "lora.target_modules").matches(modulePath)) {
        return true;
      }
    }
    return false;
  }
}
