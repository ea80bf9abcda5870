package io.tfew.peft.baselines;

import io.tfew.api.model.LinearSite;
import io.tfew.api.model.ParameterInit;
import io.tfew.api.model.SiteContext;
import io.tfew.api.peft.PeftMethod;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;

/**
 * BitFit (Ben Zaken et al. 2022) as t-few runs it: T5 has no biases, so t-few adds a zero bias to every
 * targeted linear layer ({@code layer.bias = zeros(out_features)}) and trains those biases with the
 * layer-norm scales. Here the bias {@code <module path>.bias} ({@code [out]}, t-few's and Hugging Face's
 * name for it) is added to the site's output; at zero the model is the base model.
 */
public final class BitFitMethod implements PeftMethod {
  /** Suffix of the bias keys. */
  public static final String SUFFIX = ".bias";

  private final BitFitConfig config;

  public BitFitMethod(BitFitConfig config) {
    this.config = config;
  }

  public BitFitConfig config() {
    return config;
  }

  @Override
  public Operand<TFloat32> linearOutput(LinearSite site, Operand<TFloat32> input, Operand<TFloat32> output) {
    if (!config.targets(site.path())) {
      return output;
    }
    SiteContext ctx = site.context();
    if (config.trainLayerNorms()) {
      BaseWeights.trainLayerNorms(ctx.parameters());
    }
    Operand<TFloat32> bias = ctx.parameters().trainable(site.path() + SUFFIX, Shape.of(site.outFeatures()),
        ParameterInit.zeros());
    return ctx.tf().math.add(output, bias);
  }
}
