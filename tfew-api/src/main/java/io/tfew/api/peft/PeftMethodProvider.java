package io.tfew.api.peft;

import io.tfew.api.PluginProvider;
import io.tfew.api.config.ConfigSection;
import java.util.Map;
import java.util.Optional;

/**
 * The service a PEFT method registers in {@code META-INF/services/io.tfew.api.peft.PeftMethodProvider}.
 *
 * <p>YAML selects it by name ({@code peft: {method: ia3, ...}}); the rest of the section is validated
 * against {@link #configFields()} and handed to {@link #create}.
 *
 * <pre>{@code
 * // META-INF/services/io.tfew.api.peft.PeftMethodProvider
 * com.example.ScaleQueryProvider
 * }</pre>
 */
public interface PeftMethodProvider extends PluginProvider {

  /** A fresh method for one graph build, from its validated config section. */
  PeftMethod create(ConfigSection config);

  /**
   * The {@code peft_type} Hugging Face PEFT writes for this method ({@code IA3}, {@code LORA}, ...),
   * so that an adapter directory written by PEFT is recognised; empty when PEFT has no such method.
   */
  default Optional<String> peftType() {
    return Optional.empty();
  }

  /**
   * Further {@code peft_type} values whose directories this method loads with {@link #configFromPeft}, when
   * another PEFT method's saved form is this method's. PEFT saves P-tuning as its prompt encoder's output,
   * a fixed table that prompt tuning applies the same way:
   *
   * <pre>{@code
   * public Set<String> alsoReadsPeftTypes() { return Set.of("P_TUNING"); }
   * }</pre>
   */
  default java.util.Set<String> alsoReadsPeftTypes() {
    return java.util.Set.of();
  }

  /**
   * Translates the {@code adapter_config.json} of an adapter Hugging Face PEFT wrote into this
   * method's config keys (e.g. PEFT's {@code r} and {@code lora_alpha} into tfew's {@code r} and
   * {@code alpha}). Only called for directories without tfew's own {@code tfew_config}.
   */
  default Map<String, Object> configFromPeft(Map<String, Object> adapterConfig) {
    return Map.of();
  }
}
