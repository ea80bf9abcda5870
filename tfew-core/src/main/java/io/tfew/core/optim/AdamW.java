package io.tfew.core.optim;

import static io.tfew.core.optim.Graphs.scalar;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * AdamW with the semantics of {@code torch.optim.AdamW} (no amsgrad): decoupled weight decay and
 * bias-corrected moments. Per variable {@code p} with gradient {@code g} at step {@code t}:
 * <pre>
 *   p       = p * (1 - lr * weightDecay)
 *   exp_avg = beta1 exp_avg + (1 - beta1) g;   exp_avg_sq = beta2 exp_avg_sq + (1 - beta2) g^2
 *   p      -= lr / (1 - beta1^t) * exp_avg / (sqrt(exp_avg_sq) / sqrt(1 - beta2^t) + eps)
 * </pre>
 * Slots per variable: {@code exp_avg} and {@code exp_avg_sq}, both of the variable's shape.
 */
public final class AdamW implements Optimizer {

  /**
   * AdamW's hyperparameters.
   *
   * @param beta1 first-moment decay, in [0, 1)
   * @param beta2 second-moment decay, in [0, 1)
   * @param eps added to the bias-corrected root second moment
   * @param weightDecay decoupled weight decay
   */
  public record Options(double beta1, double beta2, double eps, double weightDecay) {

    public Options {
      if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
        throw new IllegalArgumentException("beta1 and beta2 must be in [0, 1), got " + beta1 + ", " + beta2);
      }
      if (!(eps >= 0) || !(weightDecay >= 0)) {
        throw new IllegalArgumentException("eps and weightDecay must be >= 0, got " + eps + ", " + weightDecay);
      }
    }

    /**
     * Betas (0.9, 0.999) and eps 1e-8 as torch and T-Few use them, with weight decay 0 (T-Few's default;
     * torch's own default is 0.01).
     */
    public static Options defaults() {
      return new Options(0.9, 0.999, 1e-8, 0.0);
    }

    public Options withWeightDecay(double value) {
      return new Options(beta1, beta2, eps, value);
    }
  }

  private final Options options;
  private final Slots slots = new Slots();

  public AdamW(Options options) {
    this.options = options;
  }

  /** AdamW with {@link Options#defaults()}. */
  public AdamW() {
    this(Options.defaults());
  }

  public Options options() {
    return options;
  }

  @Override
  public Op update(Ops tf, List<Variable<TFloat32>> variables, List<Operand<TFloat32>> gradients,
      Operand<TFloat32> learningRate, Operand<TFloat32> step) {
    Graphs.checkPairs(variables, gradients);
    Ops s = tf.withSubScope("adamw");
    Operand<TFloat32> stepSize = s.math.div(learningRate, biasCorrection(s, options.beta1(), step));
    Operand<TFloat32> sqrtCorrection2 = s.math.sqrt(biasCorrection(s, options.beta2(), step));
    Operand<TFloat32> decayFactor = s.math.sub(scalar(s, 1), s.math.mul(learningRate, scalar(s, options.weightDecay())));
    List<Op> assigns = new ArrayList<>();
    for (int i = 0; i < variables.size(); i++) {
      Variable<TFloat32> p = variables.get(i);
      Operand<TFloat32> g = gradients.get(i);
      Variable<TFloat32> m = slots.create(s, p, "exp_avg", p.shape());
      Variable<TFloat32> v = slots.create(s, p, "exp_avg_sq", p.shape());
      Operand<TFloat32> mNew = s.math.add(s.math.mul(m, scalar(s, options.beta1())),
          s.math.mul(g, scalar(s, 1 - options.beta1())));
      Operand<TFloat32> vNew = s.math.add(s.math.mul(v, scalar(s, options.beta2())),
          s.math.mul(s.math.square(g), scalar(s, 1 - options.beta2())));
      assigns.add(s.assign(m, mNew));
      assigns.add(s.assign(v, vNew));
      Operand<TFloat32> denom = s.math.add(s.math.div(s.math.sqrt(vNew), sqrtCorrection2), scalar(s, options.eps()));
      Operand<TFloat32> decayed = options.weightDecay() != 0 ? s.math.mul(p, decayFactor) : p;
      assigns.add(s.assign(p, s.math.sub(decayed, s.math.mul(stepSize, s.math.div(mNew, denom)))));
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

  /**
   * {@code 1 - beta^t} as {@code -expm1(t log beta)}: in float32, {@code 1 - 0.999f^t} is off by about
   * 1e-5 relative at small t because 0.999 itself rounds, which would show in every early update.
   */
  private static Operand<TFloat32> biasCorrection(Ops s, double beta, Operand<TFloat32> step) {
    if (beta == 0) {
      return scalar(s, 1);
    }
    return s.math.neg(s.math.expm1(s.math.mul(step, scalar(s, Math.log(beta)))));
  }
}
