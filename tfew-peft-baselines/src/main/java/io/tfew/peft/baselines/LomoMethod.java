package io.tfew.peft.baselines;

import io.tfew.api.model.EmbeddedInput;
import io.tfew.api.model.EmbeddingSite;
import io.tfew.api.peft.PeftMethod;
import io.tfew.api.peft.UpdateRule;

/**
 * LOMO (Lv et al. 2023): full fine-tuning whose SGD step is fused into the backward pass. It trains the
 * same weights as {@link FullMethod} and saves them the same way; what differs is the update, which it
 * asks core for through {@link UpdateRule#FUSED_SGD}: no optimizer state and never a full set of
 * gradients in memory.
 */
public final class LomoMethod implements PeftMethod {
  @Override
  public EmbeddedInput inputEmbeddings(EmbeddingSite site, EmbeddedInput input) {
    BaseWeights.trainAll(site.context().parameters());
    return input;
  }

  @Override
  public UpdateRule updateRule() {
    return UpdateRule.FUSED_SGD;
  }
}
