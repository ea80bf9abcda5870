package io.tfew.peft.prompt;

import io.tfew.api.TfewException;
import io.tfew.api.config.ConfigField;
import io.tfew.api.config.ConfigSection;
import io.tfew.api.peft.PeftMethod;
import io.tfew.api.peft.PeftMethodProvider;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code prompt_tuning} PEFT method: a trained soft prompt at the input embeddings, saved in Hugging Face
 * PEFT's PROMPT_TUNING format.
 *
 * <pre>{@code
 * # experiment.yaml: T-Few's prompt-tuning baseline (10 tokens on encoder and decoder, vocabulary init)
 * peft:
 *   method: prompt_tuning
 *   num_virtual_tokens: 10
 *   decoder: true
 *   init: vocab            # random | vocab | text | class_labels
 * }</pre>
 */
public final class PromptTuningProvider implements PeftMethodProvider {

  @Override
  public String name() {
    return "prompt_tuning";
  }

  @Override
  public String description() {
    return "prompt tuning (Lester et al.): trained embeddings prepended to the encoder (and decoder) input";
  }

  @Override
  public List<ConfigField> configFields() {
    return List.of(
        ConfigField.ofInt("num_virtual_tokens", 10, "prompt length N per prompted stack"),
        ConfigField.ofBoolean("decoder", true,
            "also prepend N rows to the decoder input embeddings (T-Few; 2 x N x d_model parameters)"),
        ConfigField.ofBoolean("unused_decoder_rows", false,
            "store N decoder rows without applying them (PEFT's num_transformer_submodules 2 semantics)"),
        ConfigField.ofString("init", "vocab",
            "random | vocab (T-Few: embeddings of ids in [3, 5003)) | text | class_labels"),
        ConfigField.ofStrings("init_token_ids", List.of(),
            "token ids for init text / class_labels, as strings: \"12 7 1\" or [\"12\", \"7\"]"),
        ConfigField.ofDouble("init_std", 1.0, "standard deviation of init random (PEFT: N(0, 1))"));
  }

  @Override
  public PeftMethod create(ConfigSection section) {
    return new PromptTuningMethod(PromptTuningConfig.from(section));
  }

  @Override
  public Optional<String> peftType() {
    return Optional.of("PROMPT_TUNING");
  }

  /**
   * PEFT saves P-tuning as its prompt encoder's output, applied in front of the encoder input exactly as a
   * prompt-tuning table is; such a directory loads here as a fixed prompt (it cannot be trained as P-tuning).
   */
  @Override
  public java.util.Set<String> alsoReadsPeftTypes() {
    return java.util.Set.of("P_TUNING");
  }

  /**
   * PEFT's {@code num_virtual_tokens} and {@code num_transformer_submodules}. PEFT 0.4+ applies only the
   * encoder rows of a two-submodule file, so those become {@code unused_decoder_rows}. The init is random: the
   * file's values replace it, and random needs no read of the embedding table.
   */
  @Override
  public Map<String, Object> configFromPeft(Map<String, Object> adapterConfig) {
    Object n = adapterConfig.get("num_virtual_tokens");
    if (!(n instanceof Integer)) {
      throw new TfewException("adapter_config.json: num_virtual_tokens must be an integer, found " + n);
    }
    Object sub = adapterConfig.getOrDefault("num_transformer_submodules", 2);
    if (!(sub instanceof Integer s) || (s != 1 && s != 2)) {
      throw new TfewException("adapter_config.json: num_transformer_submodules must be 1 or 2, found " + sub);
    }
    Object task = adapterConfig.get("task_type");
    if (task != null && !"SEQ_2_SEQ_LM".equals(task)) {
      throw new TfewException("adapter_config.json: task_type " + task + " is not SEQ_2_SEQ_LM; PEFT applies "
          + "no prompt to T5 under another task type");
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("num_virtual_tokens", n);
    out.put("decoder", false);
    out.put("unused_decoder_rows", (Integer) sub == 2);
    out.put("init", "random");
    return out;
  }
}
