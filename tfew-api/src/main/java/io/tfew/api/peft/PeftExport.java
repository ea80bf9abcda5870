package io.tfew.api.peft;

import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * The Hugging Face PEFT form of a trained adapter that tfew saves in a layout of its own: the tensors
 * PEFT's {@code adapter_model.safetensors} holds, as graph values computed from the method's parameters
 * (they may depend on parameters only, never on a batch), and the fields of its
 * {@code adapter_config.json}.
 *
 * <pre>{@code
 * // P-tuning: PEFT stores the prompt encoder's output, not the encoder
 * return Optional.of(new PeftExport(Map.of("prompt_embeddings", encoderOutput), Map.of("peft_type", "P_TUNING", ...)));
 * }</pre>
 *
 * @param tensors file key to value; each value's static shape is the tensor's shape in the file
 * @param adapterConfig the fields of {@code adapter_config.json}
 */
public record PeftExport(Map<String, Operand<TFloat32>> tensors, Map<String, Object> adapterConfig) {
  public PeftExport {
    tensors = Map.copyOf(tensors);
    adapterConfig = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(adapterConfig));
  }
}
