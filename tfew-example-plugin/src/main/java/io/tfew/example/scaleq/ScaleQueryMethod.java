package io.tfew.example.scaleq;

import io.tfew.api.model.LinearSite;
import io.tfew.api.peft.PeftMethod;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/** The rewrite of {@code scale_q}: {@code q' = factor * q} at every {@code ...Attention.q} site. */
final class ScaleQueryMethod implements PeftMethod {
  private final float factor;

  ScaleQueryMethod(float factor) {
    this.factor = factor;
  }

  @Override
  public Operand<TFloat32> linearOutput(LinearSite site, Operand<TFloat32> input, Operand<TFloat32> output) {
    if (!site.path().endsWith("Attention.q")) {
      return output;
    }
    return site.context().tf().math.mul(output, site.context().tf().constant(factor));
  }
}
