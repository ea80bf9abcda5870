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
import org.tensorflow.types.TFloat32;

/**
 * A deliberately broken method for the kit's own tests: it trains a scale on every query output, as a
 * real method would, but maps every parameter to the same name in the adapter file, so saving keeps
 * only one of them. Training works; reloading cannot reproduce the run, and the kit must say so.
 */
public final class CollidingKeysProvider implements PeftMethodProvider {
  @Override
  public String name() {
    return "testkit_colliding_keys";
  }

  @Override
  public String description() {
    return "test only: query scales saved under one file key";
  }

  @Override
  public List<ConfigField> configFields() {
    return List.of();
  }

  @Override
  public PeftMethod create(ConfigSection config) {
    return new PeftMethod() {
      @Override
      public Operand<TFloat32> linearOutput(LinearSite site, Operand<TFloat32> input, Operand<TFloat32> output) {
        if (!site.path().endsWith("Attention.q")) {
          return output;
        }
        return site.context().tf().math.mul(output, site.context().parameters().trainable(site.path() + ".scale",
            Shape.of(site.outFeatures()), ParameterInit.constant(1f)));
      }

      @Override
      public String adapterKey(String parameterKey) {
        return "scale";
      }
    };
  }
}
