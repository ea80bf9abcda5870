package io.tfew.peft.lora;

import io.tfew.api.TfewException;
import io.tfew.api.config.ConfigField;
import io.tfew.api.config.ConfigSection;
import io.tfew.api.config.ConfigType;
import io.tfew.api.model.ModulePattern;
import io.tfew.api.peft.PeftMethod;
import io.tfew.api.peft.PeftMethodProvider;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code lora} PEFT method: low-rank updates of the targeted linear projections, saved in Hugging
 * Face PEFT's LORA format.
 *
 * <pre>{@code
 * # experiment.yaml: the T-Few paper's LoRA baseline (9.1M parameters on T0-3B)
 * peft:
 *   method: lora
 *   r: 4
 *   alpha: 8                      # scaling alpha / r = 2
 *   target_modules: [".*(SelfAttention|EncDecAttention)\\.(q|k|v|o)", ".*DenseReluDense\\.(wi|wi_0|wi_1|wo)"]
 *   train_layer_norms: true
 * }</pre>
 */
public final class LoraProvider implements PeftMethodProvider {

  @Override
  public String name() {
    return "lora";
  }

  @Override
  public String description() {
    return "LoRA: trainable low-rank updates B A of the targeted linear projections (PEFT LORA format)";
  }

  @Override
  public List<ConfigField> configFields() {
    return List.of(
        ConfigField.ofInt("r", 4, "rank of the update (A is [r, in], B is [out, r])"),
        ConfigField.ofDouble("alpha", 8.0, "scaling numerator: the update is multiplied by alpha / r"),
        ConfigField.ofBoolean("use_rslora", false, "rank-stabilised scaling alpha / sqrt(r)"),
        ConfigField.ofDouble("dropout", 0.0, "dropout on the input of the low-rank branch (training only)"),
        ConfigField.ofStrings("target_modules", LoraConfig.DEFAULT_TARGETS,
            "regexes over HF module paths (full match) whose linear output gets the update"),
        ConfigField.ofBoolean("train_layer_norms", false,
            "also train every layer_norm.weight of the base model (saved as PEFT modules_to_save)"),
        ConfigField.ofString("init", LoraConfig.INIT_DEFAULT,
            "'default' (Kaiming-uniform A with bound 1/sqrt(in), zero B, as PEFT) or 'gaussian' (A ~ N(0, 1/r))"),
        ConfigField.ofBoolean("merge", false,
            "fold scaling * B A into the frozen weight (one matmul per site; same outputs; single task)"));
  }

  @Override
  public PeftMethod create(ConfigSection section) {
    return new LoraMethod(LoraConfig.from(section));
  }

  @Override
  public Optional<String> peftType() {
    return Optional.of("LORA");
  }

  /**
   * PEFT's LORA config in tfew's terms. PEFT matches a list entry of {@code target_modules} as a
   * module-path suffix ({@code q} matches {@code ...SelfAttention.q}) and a string as a full-match regex;
   * {@code null} means the T5 default {@code [q, v]}. Options tfew does not implement (DoRA, per-module
   * ranks, biases, layer subsets, transposed weights, modules to save other than layer norms) are refused
   * rather than silently dropped, since the adapter would compute something else.
   */
  @Override
  public Map<String, Object> configFromPeft(Map<String, Object> c) {
    Map<String, Object> out = new LinkedHashMap<>();
    // Typed through ConfigType, as YAML values are: 4294967300 or "16" is an error, never 4 or the default.
    out.put("r", field(c, "r", ConfigType.INT, 8));
    out.put("alpha", field(c, "lora_alpha", ConfigType.DOUBLE, 8.0));
    out.put("use_rslora", field(c, "use_rslora", ConfigType.BOOLEAN, false));
    out.put("dropout", field(c, "lora_dropout", ConfigType.DOUBLE, 0.0));
    out.put("target_modules", targets(c.get("target_modules")));
    out.put("train_layer_norms", layerNormsToSave(c.get("modules_to_save")));
    out.put("init", "gaussian".equals(c.get("init_lora_weights")) ? LoraConfig.INIT_GAUSSIAN : LoraConfig.INIT_DEFAULT);
    out.put("merge", false);
    // Anything but false (or absent) is refused: a string "true" must not pass as false.
    refuse(c, "use_dora", v -> v != null && !Boolean.FALSE.equals(v), "DoRA is not implemented");
    refuse(c, "lora_bias", v -> v != null && !Boolean.FALSE.equals(v), "a bias on lora_B is not implemented");
    refuse(c, "fan_in_fan_out", v -> v != null && !Boolean.FALSE.equals(v), "T5 weights are [out, in]; fan_in_fan_out must be false");
    refuse(c, "bias", v -> v != null && !"none".equals(v), "only bias 'none' is supported (T5 has no biases)");
    refuse(c, "rank_pattern", v -> v != null && !(v instanceof Map<?, ?> m && m.isEmpty()), "per-module ranks are not supported");
    refuse(c, "alpha_pattern", v -> v != null && !(v instanceof Map<?, ?> m && m.isEmpty()), "per-module alphas are not supported");
    refuse(c, "layers_to_transform", v -> v != null, "restricting to layer indices is not supported; "
        + "express it in target_modules instead");
    refuse(c, "exclude_modules", v -> v != null && !(v instanceof List<?> l && l.isEmpty()),
        "exclude_modules is not supported; express it in target_modules instead");
    return out;
  }

  /** {@code c[key]} converted to {@code type}, or {@code fallback} when absent or null (PEFT writes null). */
  private static Object field(Map<String, Object> c, String key, ConfigType type, Object fallback) {
    Object v = c.get(key);
    return v == null ? fallback : type.coerce(v, "adapter_config.json: " + key);
  }

  private static List<String> targets(Object t) {
    if (t == null) {
      // PEFT's TRANSFORMERS_MODELS_TO_LORA_TARGET_MODULES_MAPPING for t5 and mt5.
      return LoraConfig.DEFAULT_TARGETS;
    }
    if (t instanceof String regex) {
      if (regex.equals("all-linear")) {
        // PEFT expands it to every linear but the output layer before saving; accept it anyway.
        return LoraConfig.ALL_LINEAR_TARGETS;
      }
      ModulePattern.compile(regex, "adapter_config.json: target_modules");
      return List.of(regex);
    }
    if (t instanceof List<?> list) {
      List<String> out = new ArrayList<>();
      for (Object o : list) {
        if (!(o instanceof String s)) {
          throw new TfewException("adapter_config.json: target_modules holds " + o + ", not a module name");
        }
        // PEFT's suffix rule: the whole path, or any path ending in "." + entry.
        out.add("(.*\\.)?" + escape(s));
      }
      return out;
    }
    throw new TfewException("adapter_config.json: target_modules must be a list or a regex string, found " + t);
  }

  private static boolean layerNormsToSave(Object m) {
    if (m == null) {
      return false;
    }
    if (!(m instanceof List<?> list)) {
      throw new TfewException("adapter_config.json: modules_to_save must be a list, found " + m);
    }
    for (Object o : list) {
      if (!"layer_norm".equals(o) && !"final_layer_norm".equals(o)) {
        throw new TfewException("adapter_config.json: modules_to_save entry '" + o + "' is not supported; tfew "
            + "trains the layer norms only (layer_norm, final_layer_norm)");
      }
    }
    return !list.isEmpty();
  }

  private static void refuse(Map<String, Object> c, String key, java.util.function.Predicate<Object> bad,
      String why) {
    if (bad.test(c.get(key))) {
      throw new TfewException("adapter_config.json: " + key + " = " + c.get(key) + ": " + why);
    }
  }

  /** Escapes regex metacharacters the way both Java and Python read them (no \\Q...\\E, which Python lacks). */
  static String escape(String literal) {
    StringBuilder b = new StringBuilder();
    for (char ch : literal.toCharArray()) {
      if (!Character.isLetterOrDigit(ch) && ch != '_') {
        b.append('\\');
      }
      b.append(ch);
    }
    return b.toString();
  }
}
