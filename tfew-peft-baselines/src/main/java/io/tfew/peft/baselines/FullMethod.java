package io.tfew.peft.baselines;

import io.tfew.api.model.EmbeddedInput;
import io.tfew.api.model.EmbeddingSite;
import io.tfew.api.peft.PeftMethod;

/**
 * Full fine-tuning: every base weight is trainable (embeddings, attention, FFN, norms, relative position
 * biases, and {@code lm_head} when it is not tied). The graph is unchanged; the "adapter" file is the
 * whole model under Hugging Face names.
 *
 * <p>Declared from the input-embedding hook for the reason {@link LayerNormMethod} gives.
 */
public final class FullMethod implements PeftMethod {
  @Override
  public EmbeddedInput inputEmbeddings(EmbeddingSite site, EmbeddedInput input) {
    BaseWeights.trainAll(site.context().parameters());
    return input;
  }
}
