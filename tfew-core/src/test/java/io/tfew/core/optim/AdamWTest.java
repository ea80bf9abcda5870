package io.tfew.core.optim;

import static io.tfew.core.optim.OptimHarness.assertRelativelyClose;
import static io.tfew.core.optim.OptimHarness.toDouble;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

class AdamWTest {
  private static final float[] VECTOR = {0.5f, -1.25f, 0.375f, 2.0f};
  private static final float[] MATRIX = {1.0f, -0.75f, 0.5f, -1.5f, 0.625f, 1.25f};
  private static final float[][] VECTOR_GRADS = {
      {0.1f, -0.2f, 0.05f, 0.3f}, {0.2f, 0.1f, -0.15f, 0.25f}, {3.0f, -2.0f, 1.5f, 4.0f}};
  private static final float[][] MATRIX_GRADS = {
      {0.3f, -0.1f, 0.2f, 0.05f, -0.4f, 0.1f}, {-0.2f, 0.3f, 0.1f, 0.2f, 0.1f, -0.3f},
      {5.0f, -3.0f, 2.0f, 1.0f, -6.0f, 4.0f}};
  private static final float[] LRS = {0.1f, 0.05f, 0.02f};

  @Test
  void defaultsMatchHandComputedThreeSteps() {
    checkThreeSteps(AdamW.Options.defaults());
  }

  @Test
  void decoupledWeightDecayMatchesHandComputedThreeSteps() {
    checkThreeSteps(AdamW.Options.defaults().withWeightDecay(0.01));
  }

  @Test
  void firstStepMovesEachElementByTheLearningRate() {
    // Step 1: bias correction makes m_hat = g and v_hat = g^2, so p moves by lr * g / (|g| + eps).
    try (OptimHarness h = new OptimHarness()) {
      h.variable("vec", 4);
      AdamW opt = new AdamW();
      Op update = h.update(opt);
      h.run(opt.slotInitializers());
      h.set(0, VECTOR);
      h.step(update, 0.1f, 1, VECTOR_GRADS[0]);
      double[] expected = {0.5 - 0.1, -1.25 + 0.1, 0.375 - 0.1, 2.0 - 0.1};
      assertRelativelyClose(h.read(h.variables.get(0)), expected, 1e-6, "vec");
    }
  }

  @Test
  void slotsAreNamedPerVariableAndZeroedByTheInitializers() {
    try (OptimHarness h = new OptimHarness()) {
      h.variable("vec", 4);
      h.variable("mat", 2, 3);
      AdamW opt = new AdamW();
      Op update = h.update(opt);
      Map<String, Variable<TFloat32>> slots = opt.slots();
      assertThat(slots.keySet()).containsExactly(
          "peft/vec/exp_avg", "peft/vec/exp_avg_sq", "peft/mat/exp_avg", "peft/mat/exp_avg_sq");
      assertThat(slots.get("peft/mat/exp_avg_sq").shape()).isEqualTo(Shape.of(2, 3));
      assertThat(slots.values().stream().map(v -> v.op().name()).distinct().count()).isEqualTo(slots.size());
      assertThat(opt.slotInitializers()).hasSize(4);
      h.run(opt.slotInitializers());
      h.set(0, VECTOR);
      h.set(1, MATRIX);
      h.step(update, 0.1f, 1, VECTOR_GRADS[0], MATRIX_GRADS[0]);
      assertThat(h.read(slots.get("peft/mat/exp_avg"))).doesNotContain(0f);
      h.run(opt.slotInitializers());
      for (Map.Entry<String, Variable<TFloat32>> e : slots.entrySet()) {
        assertThat(h.read(e.getValue())).as(e.getKey()).containsOnly(0f);
      }
    }
  }

  @Test
  void optionsRejectNonsense() {
    assertThatThrownBy(() -> new AdamW.Options(1.0, 0.999, 1e-8, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new AdamW.Options(0.9, 0.999, 1e-8, -1)).isInstanceOf(IllegalArgumentException.class);
    assertThat(AdamW.Options.defaults()).isEqualTo(new AdamW.Options(0.9, 0.999, 1e-8, 0.0));
  }

  private static void checkThreeSteps(AdamW.Options o) {
    Reference vec = new Reference(o, toDouble(VECTOR));
    Reference mat = new Reference(o, toDouble(MATRIX));
    try (OptimHarness h = new OptimHarness()) {
      h.variable("vec", 4);
      h.variable("mat", 2, 3);
      AdamW opt = new AdamW(o);
      Op update = h.update(opt);
      h.run(opt.slotInitializers());
      h.set(0, VECTOR);
      h.set(1, MATRIX);
      for (int t = 1; t <= 3; t++) {
        h.step(update, LRS[t - 1], t, VECTOR_GRADS[t - 1], MATRIX_GRADS[t - 1]);
        vec.step(toDouble(VECTOR_GRADS[t - 1]), LRS[t - 1], t);
        mat.step(toDouble(MATRIX_GRADS[t - 1]), LRS[t - 1], t);
        assertRelativelyClose(h.read(h.variables.get(0)), vec.p, 1e-6, "vec after step " + t);
        assertRelativelyClose(h.read(h.variables.get(1)), mat.p, 1e-6, "mat after step " + t);
      }
      assertRelativelyClose(h.read(opt.slots().get("peft/vec/exp_avg")), vec.m, 1e-5, "vec exp_avg");
      assertRelativelyClose(h.read(opt.slots().get("peft/mat/exp_avg_sq")), mat.v, 1e-5, "mat exp_avg_sq");
    }
  }

  /** torch.optim.AdamW's single-tensor step for one parameter, in double precision. */
  static final class Reference {
    final AdamW.Options o;
    final double[] p;
    final double[] m;
    final double[] v;

    Reference(AdamW.Options o, double[] p) {
      this.o = o;
      this.p = p.clone();
      this.m = new double[p.length];
      this.v = new double[p.length];
    }

    void step(double[] g, double lr, int t) {
      double bc1 = 1 - Math.pow(o.beta1(), t);
      double bc2 = 1 - Math.pow(o.beta2(), t);
      for (int i = 0; i < p.length; i++) {
        p[i] *= 1 - lr * o.weightDecay();
        m[i] = o.beta1() * m[i] + (1 - o.beta1()) * g[i];
        v[i] = o.beta2() * v[i] + (1 - o.beta2()) * g[i] * g[i];
        double denom = Math.sqrt(v[i]) / Math.sqrt(bc2) + o.eps();
        p[i] -= lr / bc1 * m[i] / denom;
      }
    }
  }
}
