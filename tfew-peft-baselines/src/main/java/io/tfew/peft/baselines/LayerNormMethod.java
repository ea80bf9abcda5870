package io.tfew.peft.baselines;

import io.tfew.api.model.EmbeddedInput;
import io.tfew.api.model.EmbeddingSite;
import io.tfew.api.peft.PeftMethod;

/**
 * Layer-norm tuning: only the T5 RMS-norm scales ({@code *layer_norm.weight}, the final norms included)
 * are trained; the graph is unchanged.
 *
 * <p>The scales are declared with {@code trainableBase} from the input-embedding hook because that hook
 * runs at the start of every program core builds (encoder and decoder), and declaring is idempotent; the
 * hook returns its input, so no site counts as touched, which core accepts from a method that declared
 * parameters. The adapter file holds the scales under their Hugging Face names.
 */
public final class LayerNormMethod implements PeftMethod {
  @Override
  public EmbeddedInput inputEmbeddings(EmbeddingSite site, EmbeddedInput input) {
    BaseWeights.trainLayerNorms(site.context().parameters());
    return input;
  }
}
