package io.tfew.core.optim;

import static io.tfew.core.optim.Graphs.rms;
import static io.tfew.core.optim.Graphs.scalar;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.op.math.Mean;
import org.tensorflow.types.TFloat32;

/**
 * Adafactor with the semantics of Hugging Face {@code transformers.optimization.Adafactor.step}, the
 * optimizer T-Few trains with.
 *
 * <p>Variables of rank 2 or more keep a factored second moment ({@code exp_avg_sq_row} of shape
 * {@code shape[:-1]}, {@code exp_avg_sq_col} of shape {@code shape[:-2] + shape[-1:]}); vectors and
 * scalars keep a full one ({@code exp_avg_sq}). With {@code beta1} set, each variable also keeps
 * {@code exp_avg}. Per variable {@code p} with gradient {@code g} at step {@code t}:
 * <pre>
 *   lr     = relativeStep ? min(warmupInit ? 1e-6 t : 1e-2, 1/sqrt(t)) : learningRate
 *   lr    *= scaleParameter ? max(eps2, rms(p)) : 1          (rms(p) before this step's update)
 *   beta2t = 1 - t^decayRate
 *   u      = g^2 + eps1;  second moment(s) = beta2t * old + (1 - beta2t) * u (or its row/column means)
 *   u      = g / sqrt(second moment)                          (factored: rsqrt(row / mean(row)) x rsqrt(col))
 *   u     /= max(1, rms(u) / clipThreshold);  u *= lr
 *   u      = beta1 ? (exp_avg = beta1 exp_avg + (1 - beta1) u) : u
 *   p      = p - weightDecay * lr * p - u
 * </pre>
 * Everything runs in float32. With {@code relativeStep} the given learning rate is ignored, as in HF.
 */
public final class Adafactor implements Optimizer {

  /**
   * Adafactor's hyperparameters, named as in Hugging Face's constructor ({@code eps = (eps1, eps2)}).
   *
   * @param eps1 regulariser added to squared gradients (HF default 1e-30)
   * @param eps2 lower bound of the parameter scale (HF default 1e-3)
   * @param clipThreshold bound on the RMS of the unscaled update (HF default 1.0)
   * @param decayRate exponent of the second-moment decay {@code 1 - t^decayRate} (HF default -0.8)
   * @param beta1 first-moment decay, or null for no momentum (HF default)
   * @param weightDecay decoupled weight decay, scaled by the effective learning rate
   * @param scaleParameter whether the learning rate is scaled by {@code max(eps2, rms(p))}
   * @param relativeStep whether to ignore the given learning rate for a time-dependent one
   * @param warmupInit whether the relative step warms up linearly ({@code 1e-6 t}); needs relativeStep
   */
  public record Options(double eps1, double eps2, double clipThreshold, double decayRate, Double beta1,
      double weightDecay, boolean scaleParameter, boolean relativeStep, boolean warmupInit) {

    public Options {
      if (!(eps1 >= 0) || !(eps2 >= 0)) {
        throw new IllegalArgumentException("eps1 and eps2 must be >= 0, got " + eps1 + ", " + eps2);
      }
      if (!(clipThreshold > 0)) {
        throw new IllegalArgumentException("clipThreshold must be > 0, got " + clipThreshold);
      }
      // decayRate >= 0 would make beta2t <= 0 from the first step on: no averaging at all.
      if (!(decayRate < 0)) {
        throw new IllegalArgumentException("decayRate must be < 0, got " + decayRate);
      }
      if (beta1 != null && !(beta1 >= 0 && beta1 < 1)) {
        throw new IllegalArgumentException("beta1 must be in [0, 1) or null, got " + beta1);
      }
      if (!(weightDecay >= 0)) {
        throw new IllegalArgumentException("weightDecay must be >= 0, got " + weightDecay);
      }
      if (warmupInit && !relativeStep) {
        throw new IllegalArgumentException("warmupInit requires relativeStep");
      }
    }

    /**
     * What T-Few passes: HF defaults with {@code relative_step=False, warmup_init=False}, T-Few's
     * default {@code scale_parameter=True} and {@code weight_decay=0}.
     */
    public static Options tfew() {
      return new Options(1e-30, 1e-3, 1.0, -0.8, null, 0.0, true, false, false);
    }

    public Options withWeightDecay(double value) {
      return new Options(eps1, eps2, clipThreshold, decayRate, beta1, value, scaleParameter, relativeStep, warmupInit);
    }

    public Options withBeta1(Double value) {
      return new Options(eps1, eps2, clipThreshold, decayRate, value, weightDecay, scaleParameter, relativeStep, warmupInit);
    }

    public Options withScaleParameter(boolean value) {
      return new Options(eps1, eps2, clipThreshold, decayRate, beta1, weightDecay, value, relativeStep, warmupInit);
    }

    public Options withRelativeStep(boolean value) {
      return new Options(eps1, eps2, clipThreshold, decayRate, beta1, weightDecay, scaleParameter, value, warmupInit);
    }
  }

  private final Options options;
  private final Slots slots = new Slots();

  public Adafactor(Options options) {
    this.options = options;
  }

  /** Adafactor with {@link Options#tfew()}. */
  public Adafactor() {
    this(Options.tfew());
  }

  public Options options() {
    return options;
  }

  @Override
  public Op update(Ops tf, List<Variable<TFloat32>> variables, List<Operand<TFloat32>> gradients,
      Operand<TFloat32> learningRate, Operand<TFloat32> step) {
    Graphs.checkPairs(variables, gradients);
    Ops s = tf.withSubScope("adafactor");
    // 1 - beta2t is t^decayRate exactly; computing it as 1 - beta2t would cancel digits late in training.
    Operand<TFloat32> freshWeight = s.math.pow(step, scalar(s, options.decayRate()));
    Operand<TFloat32> beta2t = s.math.sub(scalar(s, 1), freshWeight);
    Operand<TFloat32> baseLr = options.relativeStep() ? relativeStepSize(s, step) : learningRate;
    List<Op> assigns = new ArrayList<>();
    for (int i = 0; i < variables.size(); i++) {
      updateOne(s, variables.get(i), gradients.get(i), baseLr, beta2t, freshWeight, assigns);
    }
    return s.withControlDependencies(assigns).noOp();
  }

  @Override
  public Map<String, Variable<TFloat32>> slots() {
    return slots.view();
  }

  @Override
  public List<Op> slotInitializers() {
    return slots.initializers();
  }

  private Operand<TFloat32> relativeStepSize(Ops s, Operand<TFloat32> step) {
    Operand<TFloat32> minStep = options.warmupInit() ? s.math.mul(scalar(s, 1e-6), step) : scalar(s, 1e-2);
    return s.math.minimum(minStep, s.math.rsqrt(step));
  }

  private void updateOne(Ops s, Variable<TFloat32> p, Operand<TFloat32> g, Operand<TFloat32> baseLr,
      Operand<TFloat32> beta2t, Operand<TFloat32> freshWeight, List<Op> assigns) {
    Shape shape = p.shape();
    int rank = shape.numDimensions();
    // The parameter scale reads p before this step's assignment: the assignment consumes it.
    Operand<TFloat32> lr = options.scaleParameter()
        ? s.math.mul(baseLr, s.math.maximum(scalar(s, options.eps2()), rms(s, p)))
        : baseLr;
    Operand<TFloat32> squared = s.math.add(s.math.square(g), scalar(s, options.eps1()));
    Operand<TFloat32> update;
    if (rank >= 2) {
      long[] dims = shape.asArray();
      Shape rowShape = Shape.of(Arrays.copyOf(dims, rank - 1));
      long[] colDims = Arrays.copyOf(dims, rank - 1);
      colDims[rank - 2] = dims[rank - 1];
      Variable<TFloat32> row = slots.create(s, p, "exp_avg_sq_row", rowShape);
      Variable<TFloat32> col = slots.create(s, p, "exp_avg_sq_col", Shape.of(colDims));
      Operand<TFloat32> rowNew = average(s, row, s.math.mean(squared, s.constant(-1)), beta2t, freshWeight);
      Operand<TFloat32> colNew = average(s, col, s.math.mean(squared, s.constant(-2)), beta2t, freshWeight);
      assigns.add(s.assign(row, rowNew));
      assigns.add(s.assign(col, colNew));
      Operand<TFloat32> rowMean = s.math.mean(rowNew, s.constant(-1), Mean.keepDims(true));
      Operand<TFloat32> rFactor = s.expandDims(s.math.rsqrt(s.math.div(rowNew, rowMean)), s.constant(-1));
      Operand<TFloat32> cFactor = s.expandDims(s.math.rsqrt(colNew), s.constant(-2));
      update = s.math.mul(s.math.mul(rFactor, cFactor), g);
    } else {
      Variable<TFloat32> v = slots.create(s, p, "exp_avg_sq", shape);
      Operand<TFloat32> vNew = average(s, v, squared, beta2t, freshWeight);
      assigns.add(s.assign(v, vNew));
      update = s.math.mul(s.math.rsqrt(vNew), g);
    }
    Operand<TFloat32> clip = s.math.maximum(scalar(s, 1),
        s.math.div(rms(s, update), scalar(s, options.clipThreshold())));
    update = s.math.mul(s.math.div(update, clip), lr);
    if (options.beta1() != null) {
      double beta1 = options.beta1();
      Variable<TFloat32> m = slots.create(s, p, "exp_avg", shape);
      Operand<TFloat32> mNew = s.math.add(s.math.mul(m, scalar(s, beta1)), s.math.mul(update, scalar(s, 1 - beta1)));
      assigns.add(s.assign(m, mNew));
      update = mNew;
    }
    Operand<TFloat32> decayed = p;
    if (options.weightDecay() != 0) {
      decayed = s.math.add(p, s.math.mul(p, s.math.mul(scalar(s, -options.weightDecay()), lr)));
    }
    assigns.add(s.assign(p, s.math.sub(decayed, update)));
  }

  private static Operand<TFloat32> average(Ops s, Operand<TFloat32> old, Operand<TFloat32> fresh,
      Operand<TFloat32> beta2t, Operand<TFloat32> freshWeight) {
    return s.math.add(s.math.mul(old, beta2t), s.math.mul(fresh, freshWeight));
  }
}
