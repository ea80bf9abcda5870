package io.tfew.peft.baselines;

import io.tfew.api.config.ConfigException;
import io.tfew.api.config.ConfigSection;

/**
 * The options of the bottleneck adapter, validated.
 *
 * @param reductionFactor the bottleneck width is {@code d_model / reductionFactor} (t-few: 32)
 * @param selfAttention put an adapter after every self-attention sublayer (Houlsby; t-few: off)
 * @param crossAttention put an adapter after every cross-attention sublayer (t-few: off)
 * @param feedforward put an adapter after every feed-forward sublayer (t-few: on)
 * @param trainLayerNorms also train the layer-norm scales (t-few: {@code .*layer_norm.*|.*adapter.*})
 * @param initStd standard deviation of the normal init of the down projection; the up projection starts
 *     at zero so the adapted model starts as the base model
 */
public record AdapterConfig(int reductionFactor, boolean selfAttention, boolean crossAttention,
    boolean feedforward, boolean trainLayerNorms, double initStd) {

  public AdapterConfig {
    if (reductionFactor < 1) {
      throw new ConfigException("adapter.reduction_factor = " + reductionFactor + ": must be >= 1");
    }
    if (!selfAttention && !crossAttention && !feedforward) {
      throw new ConfigException("adapter: self_attention, cross_attention and feedforward are all false, so no "
          + "adapter would be inserted; t-few's placement is feedforward: true");
    }
    if (!(initStd >= 0) || Double.isInfinite(initStd)) {
      throw new ConfigException("adapter.init_std = " + initStd + ": must be a finite number >= 0");
    }
  }

  /** Reads a validated section; range errors name the key with the section's path. */
  public static AdapterConfig from(ConfigSection s) {
    if (s.getInt("reduction_factor") < 1) {
      throw s.invalid("reduction_factor", "must be >= 1 (the bottleneck is d_model / reduction_factor wide)");
    }
    double std = s.getDouble("init_std");
    if (!(std >= 0) || Double.isInfinite(std)) {
      throw s.invalid("init_std", "must be a finite number >= 0");
    }
    return new AdapterConfig(s.getInt("reduction_factor"), s.getBoolean("self_attention"),
        s.getBoolean("cross_attention"), s.getBoolean("feedforward"), s.getBoolean("train_layer_norms"), std);
  }

  /** Whether the output of the linear site {@code path} is a sublayer output that gets an adapter. */
  public boolean adapts(String path) {
    return (selfAttention && path.endsWith(".SelfAttention.o"))
        || (crossAttention && path.endsWith(".EncDecAttention.o"))
        || (feedforward && path.endsWith(".DenseReluDense.wo"));
  }
}
