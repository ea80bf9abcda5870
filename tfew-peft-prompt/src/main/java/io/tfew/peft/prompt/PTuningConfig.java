package io.tfew.peft.prompt;

import io.tfew.api.config.ConfigException;
import io.tfew.api.config.ConfigSection;
import java.util.Locale;

/**
 * The options of P-tuning, validated.
 *
 * <pre>{@code
 * // YAML:  peft: {method: p_tuning, num_virtual_tokens: 10, encoder_type: lstm, template: split}
 * PTuningConfig c = PTuningConfig.from(section);
 * }</pre>
 *
 * @param numVirtualTokens pseudo tokens N
 * @param encoderType the prompt encoder: MLP or a bidirectional LSTM followed by an MLP (PEFT's PromptEncoder)
 * @param encoderHiddenSize hidden width h; 0 means d_model (PEFT's default, {@code token_dim})
 * @param encoderNumLayers LSTM layers (PEFT's {@code encoder_num_layers}); must be 2 for MLP, as PEFT ignores it there
 * @param template {@code prefix}: all pseudo tokens before the input; {@code split}: the first
 *     {@code ceil(N/2)} before, the rest right after each row's last real token
 */
public record PTuningConfig(int numVirtualTokens, EncoderType encoderType, int encoderHiddenSize,
    int encoderNumLayers, Template template) {

  /** PEFT's {@code encoder_reparameterization_type}. */
  public enum EncoderType { MLP, LSTM }

  /** Where the pseudo tokens go. */
  public enum Template { PREFIX, SPLIT }

  public PTuningConfig {
    if (numVirtualTokens < 1) {
      throw new ConfigException("p_tuning.num_virtual_tokens = " + numVirtualTokens + ": must be >= 1");
    }
    if (template == Template.SPLIT && numVirtualTokens < 2) {
      throw new ConfigException("p_tuning.template = split: needs num_virtual_tokens >= 2 (one before, one after)");
    }
    if (encoderHiddenSize < 0) {
      throw new ConfigException("p_tuning.encoder_hidden_size = " + encoderHiddenSize
          + ": must be >= 1, or 0 for d_model");
    }
    if (encoderNumLayers < 1) {
      throw new ConfigException("p_tuning.encoder_num_layers = " + encoderNumLayers + ": must be >= 1");
    }
    if (encoderType == EncoderType.MLP && encoderNumLayers != 2) {
      throw new ConfigException("p_tuning.encoder_num_layers = " + encoderNumLayers
          + ": only the LSTM encoder has layers to count; the MLP is PEFT's fixed three linears");
    }
  }

  public static PTuningConfig from(ConfigSection s) {
    return new PTuningConfig(s.getInt("num_virtual_tokens"),
        parse(EncoderType.class, s.getString("encoder_type"), s.path() + ".encoder_type", "mlp or lstm"),
        s.getInt("encoder_hidden_size"), s.getInt("encoder_num_layers"),
        parse(Template.class, s.getString("template"), s.path() + ".template", "prefix or split"));
  }

  private static <E extends Enum<E>> E parse(Class<E> type, String value, String where, String allowed) {
    try {
      return Enum.valueOf(type, value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(where + " = " + value + ": must be " + allowed);
    }
  }

  /** Pseudo tokens before the input. */
  public int before() {
    return template == Template.PREFIX ? numVirtualTokens : numVirtualTokens - numVirtualTokens / 2;
  }

  /** Pseudo tokens after the input's last real token. */
  public int after() {
    return numVirtualTokens - before();
  }
}
