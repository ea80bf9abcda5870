package io.tfew.api.model;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * How a declared parameter gets its first values. Core calls {@link #fill} with a random stream
 * derived from the run's seed and the parameter's key, so initial values are reproducible and do not
 * depend on the order in which plugins declare parameters.
 *
 * <pre>{@code
 * Operand<TFloat32> scale = ctx.parameters().trainable(site.path() + ".ia3_l", Shape.of(n), ParameterInit.constant(1f));
 * }</pre>
 */
@FunctionalInterface
public interface ParameterInit {

  /** Writes the initial values of a parameter of {@code shape} (row-major) into {@code values}. */
  void fill(float[] values, long[] shape, SplittableRandom random);

  static ParameterInit constant(float value) {
    return (values, shape, random) -> Arrays.fill(values, value);
  }

  static ParameterInit zeros() {
    return constant(0f);
  }

  /** Normal with mean 0 and standard deviation {@code std}. */
  static ParameterInit normal(double std) {
    return (values, shape, random) -> {
      for (int i = 0; i < values.length; i += 2) {
        // Box-Muller: SplittableRandom has no nextGaussian before Java 17's RandomGenerator default.
        double u1 = 1.0 - random.nextDouble();
        double u2 = random.nextDouble();
        double r = Math.sqrt(-2.0 * Math.log(u1));
        values[i] = (float) (std * r * Math.cos(2 * Math.PI * u2));
        if (i + 1 < values.length) {
          values[i + 1] = (float) (std * r * Math.sin(2 * Math.PI * u2));
        }
      }
    };
  }

  /** Uniform on [{@code low}, {@code high}). */
  static ParameterInit uniform(double low, double high) {
    return (values, shape, random) -> {
      for (int i = 0; i < values.length; i++) {
        values[i] = (float) random.nextDouble(low, high);
      }
    };
  }

  /** Exactly these values (for example loaded from a pretrained file); the count must match the shape. */
  static ParameterInit of(float[] given) {
    float[] copy = given.clone();
    return (values, shape, random) -> {
      if (copy.length != values.length) {
        throw new IllegalArgumentException("initial values have " + copy.length
            + " elements but the parameter of shape " + Arrays.toString(shape) + " has " + values.length);
      }
      System.arraycopy(copy, 0, values, 0, copy.length);
    };
  }
}
