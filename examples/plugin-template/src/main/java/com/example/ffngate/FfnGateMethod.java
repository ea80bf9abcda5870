package com.example.ffngate;

import io.tfew.api.model.LinearSite;
import io.tfew.api.model.ParameterInit;
import io.tfew.api.peft.PeftMethod;
import java.util.List;
import java.util.regex.Pattern;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;

/** The rewrite of {@code ffn_gate}: {@code y' = g * y} at every targeted linear, {@code g} a trainable scalar. */
final class FfnGateMethod implements PeftMethod {
  private final float init;
  private final List<Pattern> targets;

  FfnGateMethod(float init, List<Pattern> targets) {
    this.init = init;
    this.targets = targets;
  }

  @Override
  public Operand<TFloat32> linearOutput(LinearSite site, Operand<TFloat32> input, Operand<TFloat32> output) {
    if (targets.stream().noneMatch(p -> p.matcher(site.path()).matches())) {
      return output;
    }
    // Core owns the variable: it initialises, trains, saves and reloads it under this key. Declared at
    // shape [1], the gate broadcasts over [rows, len, d_model].
    Operand<TFloat32> gate = site.context().parameters().trainable(site.path() + ".gate", Shape.of(1),
        ParameterInit.constant(init));
    return site.context().tf().math.mul(output, gate);
  }
}
