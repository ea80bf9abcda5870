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
 *
 * <p>An init that needs the checkpoint's values (a soft prompt started from word embeddings) is built
 * with {@link #fromBase}; core runs it after the base weights are loaded.
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

  /**
   * The values of the frozen base weights, as loaded from the checkpoint, for {@link #fromBase} inits.
   */
  interface BaseValues {
    /** The shape of the base weight {@code key}, e.g. {@code [vocab, d_model]} for {@code shared.weight}. */
    long[] shape(String key);

    /** All values of the base weight {@code key}, row-major. */
    float[] read(String key);
  }

  /** Fills a parameter from base-weight values; see {@link #fromBase}. */
  @FunctionalInterface
  interface FromBase {
    void fill(float[] values, long[] shape, SplittableRandom random, BaseValues base);
  }

  /**
   * An init computed from the checkpoint's weights, such as rows of {@code shared.weight} (prompt tuning
   * started from vocabulary embeddings). A {@link ParameterInit} alone cannot do this: core initialises
   * parameters when the session opens, before the checkpoint is loaded. Core runs these inits after the
   * load instead (with the same per-key random stream), and {@link #fill} refuses to run without the values.
   *
   * <pre>{@code
   * ParameterInit init = ParameterInit.fromBase((values, shape, random, base) -> {
   *   float[] table = base.read("shared.weight");
   *   int d = (int) base.shape("shared.weight")[1];
   *   System.arraycopy(table, 42 * d, values, 0, d);   // the embedding of token 42
   * });
   * }</pre>
   */
  static BaseDerived fromBase(FromBase fill) {
    return new BaseDerived(fill);
  }

  /** A {@link #fromBase} init; core recognises it by this type. */
  final class BaseDerived implements ParameterInit {
    private final FromBase fill;

    private BaseDerived(FromBase fill) {
      this.fill = java.util.Objects.requireNonNull(fill, "fill");
    }

    /** Always fails: this init needs the base weights, which core passes to {@link #fill(float[], long[], SplittableRandom, BaseValues)}. */
    @Override
    public void fill(float[] values, long[] shape, SplittableRandom random) {
      throw new IllegalStateException("this parameter is initialised from base weights; core runs it after "
          + "the checkpoint is loaded (TrainableParameters.initializeFromBase)");
    }

    public void fill(float[] values, long[] shape, SplittableRandom random, BaseValues base) {
      fill.fill(values, shape, random, base);
    }
  }
}
