package io.tfew.peft.ia3;

import io.tfew.api.TfewException;
import io.tfew.api.config.ConfigField;
import io.tfew.api.config.ConfigSection;
import io.tfew.api.model.ModulePattern;
import io.tfew.api.peft.PeftMethod;
import io.tfew.api.peft.PeftMethodProvider;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code ia3} PEFT method: T-Few's (IA)^3 vectors on attention keys and values and on the FFN
 * activation, saved in Hugging Face PEFT's IA3 format.
 *
 * <pre>{@code
 * # experiment.yaml
 * peft:
 *   method: ia3
 *   target_modules: [".*(SelfAttention|EncDecAttention)\\.(k|v)"]   # the default
 *   feedforward: true                                                # l_ff on the input of wo
 *   init: fixtures/ia3-pretrained/t03b_ia3_finish.pt      # or "ones" (the default)
 * }</pre>
 */
public final class Ia3Provider implements PeftMethodProvider {

  @Override
  public String name() {
    return "ia3";
  }

  @Override
  public String description() {
    return "(IA)^3: learned vectors rescaling attention keys, values and the FFN inner activation (T-Few)";
  }

  @Override
  public List<ConfigField> configFields() {
    return List.of(
        ConfigField.ofStrings("target_modules", Ia3Config.DEFAULT_TARGETS,
            "regexes over HF module paths (full match) whose linear output is rescaled (l_k, l_v)"),
        ConfigField.ofBoolean("feedforward", true,
            "rescale the FFN inner activation, the input of wo (l_ff; in gated FFNs the same as wi_1's output)"),
        ConfigField.ofPath("init", Ia3Config.INIT_ONES,
            "'ones', or a t-few .pt or PEFT adapter_model.safetensors file of vectors to start from"));
  }

  @Override
  public PeftMethod create(ConfigSection section) {
    Ia3Config config = Ia3Config.from(section);
    // Read once per graph build, here rather than in the hooks, so a bad file fails before any graph work.
    PretrainedIa3 pretrained = config.pretrained() ? PretrainedIa3.read(Path.of(config.init())) : null;
    return new Ia3Method(config, pretrained);
  }

  @Override
  public Optional<String> peftType() {
    return Optional.of("IA3");
  }

  /**
   * PEFT's {@code target_modules} / {@code feedforward_modules} in tfew's terms. PEFT matches a list entry
   * as a module-path suffix ({@code k} matches {@code ...SelfAttention.k}) and a string as a full-match
   * regex; a feed-forward module has its input rescaled, every other target its output. tfew rescales
   * outputs of the {@code target_modules} it is given and, with {@code feedforward}, the input of
   * {@code wo}, so a PEFT {@code wo} feed-forward target becomes {@code feedforward: true}, and output
   * targets such as T-Few's {@code wi_1} stay targets (their keys then match the file's).
   */
  @Override
  public Map<String, Object> configFromPeft(Map<String, Object> adapterConfig) {
    Object targets = adapterConfig.get("target_modules");
    Object ff = adapterConfig.get("feedforward_modules");
    List<String> tfewTargets = new ArrayList<>();
    boolean feedforward;
    if (targets == null) {
      // PEFT fills model type "t5"'s default: k, v and wo, with wo feed-forward; tfew's default is that.
      if (ff != null && !(ff instanceof List<?> l && (l.isEmpty() || l.equals(List.of("wo"))))) {
        throw new TfewException("adapter_config.json: feedforward_modules " + ff + " without target_modules "
            + "is not supported; PEFT's T5 default is target_modules [k, v, wo] with feedforward_modules [wo]");
      }
      tfewTargets.add(".*\\.(k|v)");
      feedforward = !(ff instanceof List<?> l && l.isEmpty());
      if (!feedforward) {
        tfewTargets.add(".*\\.wo");
      }
    } else if (targets instanceof String regex) {
      String wo = "encoder.block.0.layer.1.DenseReluDense.wo";
      boolean woTargeted = ModulePattern.compile(regex, "adapter_config.json: target_modules").matches(wo);
      feedforward = woTargeted && isFeedforward(ff, wo);
      tfewTargets.add(regex);
      requireOnlyWoFeedforward(ff, regex);
    } else if (targets instanceof List<?> list) {
      List<String> ffList = ff == null ? List.of("wo") : ff instanceof List<?> f ? strings(f, "feedforward_modules")
          : null;
      if (ffList == null) {
        throw new TfewException("adapter_config.json: feedforward_modules must be a list when target_modules "
            + "is a list, found " + ff);
      }
      feedforward = false;
      for (String t : strings(list, "target_modules")) {
        if (ffList.contains(t)) {
          if (!t.equals("wo") && !t.endsWith(".wo")) {
            throw new TfewException("adapter_config.json: feed-forward module '" + t + "' (its input rescaled) "
                + "is not supported; tfew rescales the input of wo only");
          }
          feedforward = true;
        } else {
          // PEFT's suffix rule: the whole path, or any path ending in "." + entry.
          tfewTargets.add("(.*\\.)?" + escape(t));
        }
      }
    } else {
      throw new TfewException("adapter_config.json: target_modules must be a list or a regex string, found "
          + targets);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("target_modules", tfewTargets);
    out.put("feedforward", feedforward);
    out.put("init", Ia3Config.INIT_ONES);
    return out;
  }

  private static boolean isFeedforward(Object ff, String path) {
    if (ff == null) {
      return path.endsWith(".wo");
    }
    if (ff instanceof String regex) {
      return ModulePattern.compile(regex, "adapter_config.json: feedforward_modules").matches(path);
    }
    if (ff instanceof List<?> list) {
      return list.stream().anyMatch(e -> e instanceof String s && (path.equals(s) || path.endsWith(s)));
    }
    throw new TfewException("adapter_config.json: feedforward_modules must be a list or a regex string, found " + ff);
  }

  private static void requireOnlyWoFeedforward(Object ff, String targets) {
    List<String> samples = List.of("encoder.block.0.layer.0.SelfAttention.", "decoder.block.0.layer.1.EncDecAttention.");
    List<String> paths = new ArrayList<>();
    for (String a : samples) {
      for (String m : List.of("q", "k", "v", "o")) {
        paths.add(a + m);
      }
    }
    for (String m : List.of("wi", "wi_0", "wi_1")) {
      paths.add("encoder.block.0.layer.1.DenseReluDense." + m);
    }
    for (String path : paths) {
      if (ModulePattern.compile(targets, "adapter_config.json: target_modules").matches(path)
          && isFeedforward(ff, path)) {
        throw new TfewException("adapter_config.json: feed-forward module " + path + " (its input rescaled) "
            + "is not supported; tfew rescales the input of wo only");
      }
    }
  }

  /** Escapes regex metacharacters the way both Java and Python read them (no \\Q...\\E, which Python lacks). */
  static String escape(String literal) {
    StringBuilder b = new StringBuilder();
    for (char c : literal.toCharArray()) {
      if (!Character.isLetterOrDigit(c) && c != '_') {
        b.append('\\');
      }
      b.append(c);
    }
    return b.toString();
  }

  private static List<String> strings(List<?> list, String field) {
    List<String> out = new ArrayList<>();
    for (Object o : list) {
      if (!(o instanceof String s)) {
        throw new TfewException("adapter_config.json: " + field + " holds " + o + ", not a module name");
      }
      out.add(s);
    }
    return out;
  }
}
