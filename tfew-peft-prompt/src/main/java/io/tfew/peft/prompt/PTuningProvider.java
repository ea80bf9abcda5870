package io.tfew.peft.prompt;

import io.tfew.api.config.ConfigField;
import io.tfew.api.config.ConfigSection;
import io.tfew.api.peft.PeftMethod;
import io.tfew.api.peft.PeftMethodProvider;
import java.util.List;

/**
 * The {@code p_tuning} PEFT method: pseudo-token embeddings produced by a trained prompt encoder (MLP or
 * bidirectional LSTM + MLP, as Hugging Face PEFT's PromptEncoder) over learned inputs.
 *
 * <pre>{@code
 * # experiment.yaml
 * peft:
 *   method: p_tuning
 *   num_virtual_tokens: 10
 *   encoder_type: lstm        # mlp | lstm
 *   encoder_hidden_size: 0    # 0 = d_model
 *   template: split           # prefix | split
 * }</pre>
 */
public final class PTuningProvider implements PeftMethodProvider {

  @Override
  public String name() {
    return "p_tuning";
  }

  @Override
  public String description() {
    return "P-tuning (Liu et al.): pseudo tokens from a trained MLP/LSTM prompt encoder at the encoder input";
  }

  @Override
  public List<ConfigField> configFields() {
    return List.of(
        ConfigField.ofInt("num_virtual_tokens", 10, "pseudo tokens N"),
        ConfigField.ofString("encoder_type", "mlp", "mlp | lstm (bidirectional LSTM then MLP), PEFT's PromptEncoder"),
        ConfigField.ofInt("encoder_hidden_size", 0, "hidden width h of the prompt encoder; 0 = d_model"),
        ConfigField.ofInt("encoder_num_layers", 2, "LSTM layers (lstm only; PEFT's default 2)"),
        ConfigField.ofString("template", "prefix",
            "prefix (all before the input) | split (first half before, rest after the last real token)"));
  }

  @Override
  public PeftMethod create(ConfigSection section) {
    return new PTuningMethod(PTuningConfig.from(section));
  }
}
