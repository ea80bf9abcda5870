package io.tfew.testkit;

import io.tfew.api.config.ConfigField;
import io.tfew.api.config.ConfigSection;
import io.tfew.api.model.LinearSite;
import io.tfew.api.model.ParameterInit;
import io.tfew.api.peft.PeftMethod;
import io.tfew.api.peft.PeftMethodProvider;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * A deliberately broken method for the kit's own tests: it declares a vector at every query output but
 * multiplies it by zero before adding it, so the vector never reaches the loss. Training cannot lower
 * the loss, and the kit must say so.
 */
public final class DetachedParametersProvider implements PeftMethodProvider {
  @Override
  public String name() {
    return "testkit_detached";
  }

  @Override
  public String description() {
    return "test only: trainable vectors that do not affect the model";
  }

  @Override
  public List<ConfigField> configFields() {
    return List.of(ConfigField.ofDouble("init", 1.0, "the vectors' initial value"));
  }

  @Override
  public PeftMethod create(ConfigSection config) {
    float init = (float) config.getDouble("init");
    return new PeftMethod() {
      @Override
      public Operand<TFloat32> linearOutput(LinearSite site, Operand<TFloat32> input, Operand<TFloat32> output) {
        if (!site.path().endsWith("Attention.q")) {
          return output;
        }
        Ops tf = site.context().tf();
        Operand<TFloat32> v = site.context().parameters().trainable(site.path() + ".detached",
            Shape.of(site.outFeatures()), ParameterInit.constant(init));
        return tf.math.add(output, tf.math.mul(tf.constant(0f), v));
      }
    };
  }
}
