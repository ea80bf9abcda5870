package io.tfew.peft.baselines;

import io.tfew.api.model.Parameters;

/** Selecting base weights to train, shared by the methods that train some of the checkpoint. */
final class BaseWeights {
  /** Suffix of every T5 RMS-norm scale, including {@code encoder.final_layer_norm.weight}. */
  static final String LAYER_NORM_SUFFIX = "layer_norm.weight";

  private BaseWeights() {}

  /**
   * Makes every layer-norm scale trainable (t-few's {@code .*layer_norm.*}: 2 per encoder block, 3 per
   * decoder block, and the two final norms) and returns how many weights that is.
   */
  static int trainLayerNorms(Parameters parameters) {
    int n = 0;
    for (String key : parameters.baseWeightKeys()) {
      if (key.endsWith(LAYER_NORM_SUFFIX)) {
        parameters.trainableBase(key);
        n++;
      }
    }
    return n;
  }

  /** Makes every base weight trainable. */
  static void trainAll(Parameters parameters) {
    for (String key : parameters.baseWeightKeys()) {
      parameters.trainableBase(key);
    }
  }
}
