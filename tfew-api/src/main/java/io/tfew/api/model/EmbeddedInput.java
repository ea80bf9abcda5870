package io.tfew.api.model;

import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * Input embeddings and their attention mask.
 *
 * <p>A soft prompt prepends rows and extends the mask with ones. On the encoder the relative-position
 * bias then covers the prompt too (as Hugging Face PEFT's prompt tuning does). On the decoder core drops
 * the outputs at the prepended positions, so scores and logits keep their length.
 *
 * @param embeddings {@code [rows, length, d_model]}
 * @param mask {@code [rows, length]}: 1 for real positions, 0 for padding
 */
public record EmbeddedInput(Operand<TFloat32> embeddings, Operand<TFloat32> mask) {}
