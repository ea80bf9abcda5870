package io.tfew.peft.qlora;

import io.tfew.api.config.ConfigException;
import io.tfew.api.config.ConfigSection;
import java.util.List;
import io.tfew.api.model.ModulePattern;

/**
 * The options of QLoRA, validated: LoRA's (the adapter is a LoRA adapter) and the quantisation's.
 *
 * <pre>{@code
 * // YAML:  peft: {method: qlora, r: 8, alpha: 16, double_quant: true}
 * QloraConfig c = QloraConfig.from(section);
 * c.targets("decoder.block.1.layer.2.DenseReluDense.wo");   // true: every linear of attention and FFN
 * }</pre>
 *
 * @param r rank of the update, at least 1
 * @param alpha scaling numerator: the update is multiplied by {@code alpha / r} ({@code alpha / sqrt(r)} with rsLoRA)
 * @param useRslora rank-stabilised scaling, PEFT's {@code use_rslora}
 * @param dropout dropout rate on the input of the low-rank branch, training graphs only; in [0, 1)
 * @param targetModules regexes over Hugging Face module paths (full match): these linears are stored in
 *     NF4 and get a LoRA update
 * @param init {@code default} (Kaiming-uniform A, zero B, as PEFT) or {@code gaussian} (A ~ N(0, 1/r), zero B)
 * @param blockSize values per NF4 block sharing one absmax scale (QLoRA: 64); even
 * @param doubleQuant quantise the block scales to 8 bits in groups of 256 (QLoRA's double quantisation)
 */
public record QloraConfig(int r, double alpha, boolean useRslora, double dropout, List<String> targetModules,
    String init, int blockSize, boolean doubleQuant) {
  /** QLoRA's placement: every linear of attention and FFN ("all linear layers", Dettmers et al. section 4). */
  public static final List<String> ALL_LINEAR_TARGETS = List.of(
      ".*(SelfAttention|EncDecAttention)\\.(q|k|v|o)", ".*DenseReluDense\\.(wi|wi_0|wi_1|wo)");
  public static final String INIT_DEFAULT = "default";
  public static final String INIT_GAUSSIAN = "gaussian";

  public QloraConfig {
    targetModules = List.copyOf(targetModules);
    if (r < 1) {
      throw new ConfigException("qlora.r = " + r + ": the rank must be at least 1");
    }
    if (!Double.isFinite(alpha)) {
      throw new ConfigException("qlora.alpha = " + alpha + ": must be a finite number");
    }
    if (!(dropout >= 0 && dropout < 1)) {
      throw new ConfigException("qlora.dropout = " + dropout + ": must be in [0, 1)");
    }
    if (targetModules.isEmpty()) {
      throw new ConfigException("qlora.target_modules is empty, so nothing would be quantised or trained; list "
          + "modules (e.g. " + ALL_LINEAR_TARGETS.get(0) + ")");
    }
    for (String regex : targetModules) {
      ModulePattern.compile(regex, "qlora.target_modules");
    }
    if (!INIT_DEFAULT.equals(init) && !INIT_GAUSSIAN.equals(init)) {
      throw new ConfigException("qlora.init = " + init + ": must be '" + INIT_DEFAULT + "' or '" + INIT_GAUSSIAN + "'");
    }
    if (blockSize < 2 || blockSize % 2 != 0) {
      throw new ConfigException("qlora.block_size = " + blockSize + ": must be even and at least 2 (two 4-bit codes "
          + "per byte); QLoRA uses 64");
    }
  }

  /** r 4, alpha 8 (tfew's LoRA defaults), every linear of attention and FFN, NF4 blocks of 64, double quantisation. */
  public static QloraConfig defaults() {
    return new QloraConfig(4, 8.0, false, 0.0, ALL_LINEAR_TARGETS, INIT_DEFAULT, 64, true);
  }

  /** Reads a validated section; range errors name the section's YAML path. */
  public static QloraConfig from(ConfigSection s) {
    try {
      return new QloraConfig(s.getInt("r"), s.getDouble("alpha"), s.getBoolean("use_rslora"), s.getDouble("dropout"),
          s.getStrings("target_modules"), s.getString("init"), s.getInt("block_size"), s.getBoolean("double_quant"));
    } catch (ConfigException e) {
      String message = e.getMessage().startsWith("qlora") ? e.getMessage().replaceFirst("^qlora", s.path())
          : e.getMessage();
      throw new ConfigException(message);
    }
  }

  /** The factor of the low-rank update: {@code alpha / r}, or {@code alpha / sqrt(r)} with rsLoRA. */
  public double scaling() {
    return useRslora ? alpha / Math.sqrt(r) : alpha / r;
  }

  /** Whether the linear site at {@code modulePath} is quantised and adapted: some pattern matches the whole path. */
  public boolean targets(String modulePath) {
    for (String regex : targetModules) {
      if (ModulePattern.compile(regex, "qlora.target_modules").matches(modulePath)) {
        return true;
      }
    }
    return false;
  }
}
