package io.tfew.core.optim;

import static io.tfew.core.optim.OptimHarness.assertRelativelyClose;
import static io.tfew.core.optim.OptimHarness.toDouble;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

class AdafactorTest {
  private static final float[] VECTOR = {0.5f, -1.25f, 0.375f, 2.0f};
  private static final float[] MATRIX = {1.0f, -0.75f, 0.5f, -1.5f, 0.625f, 1.25f};
  private static final float[][] VECTOR_GRADS = {
      {0.1f, -0.2f, 0.05f, 0.3f}, {0.2f, 0.1f, -0.15f, 0.25f}, {3.0f, -2.0f, 1.5f, 4.0f}};
  private static final float[][] MATRIX_GRADS = {
      {0.3f, -0.1f, 0.2f, 0.05f, -0.4f, 0.1f}, {-0.2f, 0.3f, 0.1f, 0.2f, 0.1f, -0.3f},
      {5.0f, -3.0f, 2.0f, 1.0f, -6.0f, 4.0f}};
  private static final float[] LRS = {0.1f, 0.05f, 0.02f};

  @Test
  void tfewOptionsMatchHandComputedThreeSteps() {
    Reference clipsSomewhere = checkThreeSteps(Adafactor.Options.tfew(), LRS);
    // The large third-step gradients must reach the RMS clipping branch, or it would go untested.
    assertThat(clipsSomewhere.clips).isPositive();
  }

  @Test
  void momentumWeightDecayUnscaledAndTighterClipMatchHandComputed() {
    Adafactor.Options o = new Adafactor.Options(1e-30, 1e-3, 0.5, -0.8, 0.9, 0.01, false, false, false);
    Reference ref = checkThreeSteps(o, LRS);
    assertThat(ref.clips).isPositive();
  }

  @Test
  void relativeStepIgnoresTheGivenLearningRate() {
    Adafactor.Options relative = new Adafactor.Options(1e-30, 1e-3, 1.0, -0.8, null, 0.0, true, true, false);
    checkThreeSteps(relative, new float[] {123f, 7f, 0.5f});
    Adafactor.Options warmup = new Adafactor.Options(1e-30, 1e-3, 1.0, -0.8, null, 0.0, true, true, true);
    checkThreeSteps(warmup, new float[] {123f, 7f, 0.5f});
  }

  @Test
  void firstUnscaledStepMovesEachElementByTheLearningRate() {
    // Step 1: beta2t = 0, so v = g^2 + eps1 and the update is lr * sign(g); its RMS is 1, so no clip.
    Adafactor.Options o = Adafactor.Options.tfew().withScaleParameter(false);
    try (OptimHarness h = new OptimHarness()) {
      h.variable("vec", 4);
      Adafactor opt = new Adafactor(o);
      Op update = h.update(opt);
      h.run(opt.slotInitializers());
      h.set(0, VECTOR);
      h.step(update, 0.1f, 1, VECTOR_GRADS[0]);
      double[] expected = {0.5 - 0.1, -1.25 + 0.1, 0.375 - 0.1, 2.0 - 0.1};
      assertRelativelyClose(h.read(h.variables.get(0)), expected, 1e-6, "vec");
    }
  }

  @Test
  void slotsAreNamedPerVariableShapedFromItAndZeroedByTheInitializers() {
    try (OptimHarness h = new OptimHarness()) {
      h.variable("vec", 4);
      h.variable("mat", 2, 3);
      h.variable("cube", 2, 3, 5);
      Adafactor opt = new Adafactor(Adafactor.Options.tfew().withBeta1(0.9));
      assertThat(opt.slots()).isEmpty();
      Op update = h.update(opt);
      Map<String, Variable<TFloat32>> slots = opt.slots();
      assertThat(slots.keySet()).containsExactly(
          "peft/vec/exp_avg_sq", "peft/vec/exp_avg",
          "peft/mat/exp_avg_sq_row", "peft/mat/exp_avg_sq_col", "peft/mat/exp_avg",
          "peft/cube/exp_avg_sq_row", "peft/cube/exp_avg_sq_col", "peft/cube/exp_avg");
      assertThat(slots.get("peft/vec/exp_avg_sq").shape()).isEqualTo(Shape.of(4));
      assertThat(slots.get("peft/mat/exp_avg_sq_row").shape()).isEqualTo(Shape.of(2));
      assertThat(slots.get("peft/mat/exp_avg_sq_col").shape()).isEqualTo(Shape.of(3));
      assertThat(slots.get("peft/mat/exp_avg").shape()).isEqualTo(Shape.of(2, 3));
      assertThat(slots.get("peft/cube/exp_avg_sq_row").shape()).isEqualTo(Shape.of(2, 3));
      assertThat(slots.get("peft/cube/exp_avg_sq_col").shape()).isEqualTo(Shape.of(2, 5));
      assertUniqueGraphNames(slots);
      assertThat(opt.slotInitializers()).hasSize(slots.size());

      h.run(opt.slotInitializers());
      h.set(0, VECTOR);
      h.set(1, MATRIX);
      h.set(2, ramp(30, 0.1f));
      for (int t = 1; t <= 2; t++) {
        h.step(update, 0.1f, t, VECTOR_GRADS[t - 1], MATRIX_GRADS[t - 1], ramp(30, -0.05f));
      }
      for (Map.Entry<String, Variable<TFloat32>> e : slots.entrySet()) {
        assertThat(h.read(e.getValue())).as(e.getKey()).isNotEqualTo(new float[(int) e.getValue().shape().size()]);
      }
      h.run(opt.slotInitializers());
      for (Map.Entry<String, Variable<TFloat32>> e : slots.entrySet()) {
        assertThat(h.read(e.getValue())).as(e.getKey()).containsOnly(0f);
      }
    }
  }

  @Test
  void rejectsMismatchedListsAndASecondUpdate() {
    try (OptimHarness h = new OptimHarness()) {
      h.variable("vec", 4);
      h.variable("mat", 2, 3);
      Adafactor opt = new Adafactor();
      assertThatThrownBy(() -> opt.update(h.tf, h.variables, h.gradients().subList(0, 1), h.learningRate, h.step))
          .isInstanceOf(IllegalArgumentException.class);
      h.update(opt);
      assertThatThrownBy(() -> h.update(opt)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("peft/vec/exp_avg_sq");
    }
  }

  @Test
  void optionsRejectNonsense() {
    assertThatThrownBy(() -> new Adafactor.Options(1e-30, 1e-3, 1.0, -0.8, null, 0, true, false, true))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("warmupInit");
    assertThatThrownBy(() -> new Adafactor.Options(1e-30, 1e-3, 0.0, -0.8, null, 0, true, false, false))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Adafactor.Options(1e-30, 1e-3, 1.0, 0.5, null, 0, true, false, false))
        .isInstanceOf(IllegalArgumentException.class);
    Adafactor.Options t = Adafactor.Options.tfew();
    assertThat(t).isEqualTo(new Adafactor.Options(1e-30, 1e-3, 1.0, -0.8, null, 0.0, true, false, false));
  }

  /** Runs three steps on a [4] vector and a [2,3] matrix and compares every value with the reference. */
  private static Reference checkThreeSteps(Adafactor.Options o, float[] lrs) {
    Reference vec = new Reference(o, new int[] {4}, toDouble(VECTOR));
    Reference mat = new Reference(o, new int[] {2, 3}, toDouble(MATRIX));
    try (OptimHarness h = new OptimHarness()) {
      h.variable("vec", 4);
      h.variable("mat", 2, 3);
      Adafactor opt = new Adafactor(o);
      Op update = h.update(opt);
      h.run(opt.slotInitializers());
      h.set(0, VECTOR);
      h.set(1, MATRIX);
      for (int t = 1; t <= 3; t++) {
        h.step(update, lrs[t - 1], t, VECTOR_GRADS[t - 1], MATRIX_GRADS[t - 1]);
        vec.step(toDouble(VECTOR_GRADS[t - 1]), lrs[t - 1], t);
        mat.step(toDouble(MATRIX_GRADS[t - 1]), lrs[t - 1], t);
        assertRelativelyClose(h.read(h.variables.get(0)), vec.p, 1e-6, "vec after step " + t);
        assertRelativelyClose(h.read(h.variables.get(1)), mat.p, 1e-6, "mat after step " + t);
      }
      // Parameters are large beside their updates; the moved distance shows update errors plainly.
      assertMovedClose(h.read(h.variables.get(0)), VECTOR, vec.p, "vec");
      assertMovedClose(h.read(h.variables.get(1)), MATRIX, mat.p, "mat");
      Map<String, Variable<TFloat32>> slots = opt.slots();
      assertRelativelyClose(h.read(slots.get("peft/vec/exp_avg_sq")), vec.v, 1e-5, "vec exp_avg_sq");
      assertRelativelyClose(h.read(slots.get("peft/mat/exp_avg_sq_row")), mat.row, 1e-5, "mat exp_avg_sq_row");
      assertRelativelyClose(h.read(slots.get("peft/mat/exp_avg_sq_col")), mat.col, 1e-5, "mat exp_avg_sq_col");
      if (o.beta1() != null) {
        assertRelativelyClose(h.read(slots.get("peft/vec/exp_avg")), vec.m, 1e-4, "vec exp_avg");
        assertRelativelyClose(h.read(slots.get("peft/mat/exp_avg")), mat.m, 1e-4, "mat exp_avg");
      } else {
        assertThat(slots).hasSize(3);
      }
    }
    vec.clips += mat.clips;
    return vec;
  }

  private static void assertUniqueGraphNames(Map<String, Variable<TFloat32>> slots) {
    Set<String> names = new HashSet<>();
    for (Map.Entry<String, Variable<TFloat32>> e : slots.entrySet()) {
      String name = e.getValue().op().name();
      assertThat(name).endsWith("/" + e.getKey());
      assertThat(names.add(name)).as("duplicate slot op name %s", name).isTrue();
    }
  }

  /**
   * Compares the distance moved over all steps within 1e-4 relative, plus the few float32 roundings
   * of the stored parameter that tiny moves (relative step with warmup) cannot escape.
   */
  private static void assertMovedClose(float[] actual, float[] start, double[] expected, String what) {
    for (int i = 0; i < start.length; i++) {
      double moved = (double) actual[i] - start[i];
      double expectedMoved = expected[i] - start[i];
      double tolerance = 1e-4 * Math.abs(expectedMoved) + 4 * Math.ulp(Math.abs(start[i]));
      assertThat(Math.abs(moved - expectedMoved))
          .as("%s[%d] moved %s, expected %s", what, i, moved, expectedMoved)
          .isLessThanOrEqualTo(tolerance);
    }
  }

  private static float[] ramp(int n, float scale) {
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      out[i] = scale * (i - n / 2f + 0.5f);
    }
    return out;
  }

  /**
   * HF's Adafactor.step for one parameter, written out in double precision for a vector or a matrix:
   * the expected values of the tests, independent of the graph implementation.
   */
  static final class Reference {
    final Adafactor.Options o;
    final int rows;
    final int cols;
    final boolean factored;
    final double[] p;
    final double[] v;
    final double[] row;
    final double[] col;
    final double[] m;
    int clips;

    Reference(Adafactor.Options o, int[] shape, double[] p) {
      this.o = o;
      this.factored = shape.length == 2;
      this.rows = factored ? shape[0] : 1;
      this.cols = factored ? shape[1] : shape[0];
      this.p = p.clone();
      this.v = new double[p.length];
      this.row = new double[rows];
      this.col = new double[cols];
      this.m = new double[p.length];
    }

    void step(double[] g, double givenLr, int t) {
      double lr = givenLr;
      if (o.relativeStep()) {
        double minStep = o.warmupInit() ? 1e-6 * t : 1e-2;
        lr = Math.min(minStep, 1.0 / Math.sqrt(t));
      }
      if (o.scaleParameter()) {
        lr *= Math.max(o.eps2(), rms(p));
      }
      double beta2t = 1.0 - Math.pow(t, o.decayRate());
      double[] sq = new double[g.length];
      for (int i = 0; i < g.length; i++) {
        sq[i] = g[i] * g[i] + o.eps1();
      }
      double[] u = new double[g.length];
      if (factored) {
        for (int r = 0; r < rows; r++) {
          double mean = 0;
          for (int c = 0; c < cols; c++) {
            mean += sq[r * cols + c] / cols;
          }
          row[r] = beta2t * row[r] + (1 - beta2t) * mean;
        }
        for (int c = 0; c < cols; c++) {
          double mean = 0;
          for (int r = 0; r < rows; r++) {
            mean += sq[r * cols + c] / rows;
          }
          col[c] = beta2t * col[c] + (1 - beta2t) * mean;
        }
        double rowMean = 0;
        for (double x : row) {
          rowMean += x / rows;
        }
        for (int r = 0; r < rows; r++) {
          for (int c = 0; c < cols; c++) {
            u[r * cols + c] = 1 / Math.sqrt(row[r] / rowMean) * (1 / Math.sqrt(col[c])) * g[r * cols + c];
          }
        }
      } else {
        for (int i = 0; i < g.length; i++) {
          v[i] = beta2t * v[i] + (1 - beta2t) * sq[i];
          u[i] = g[i] / Math.sqrt(v[i]);
        }
      }
      double clip = Math.max(1.0, rms(u) / o.clipThreshold());
      if (clip > 1.0 + 1e-6) {
        clips++;
      }
      for (int i = 0; i < u.length; i++) {
        u[i] = u[i] / clip * lr;
      }
      if (o.beta1() != null) {
        for (int i = 0; i < u.length; i++) {
          m[i] = o.beta1() * m[i] + (1 - o.beta1()) * u[i];
          u[i] = m[i];
        }
      }
      for (int i = 0; i < p.length; i++) {
        if (o.weightDecay() != 0) {
          p[i] += -o.weightDecay() * lr * p[i];
        }
        p[i] -= u[i];
      }
    }

    private static double rms(double[] x) {
      double s = 0;
      for (double e : x) {
        s += e * e;
      }
      return Math.sqrt(s / x.length);
    }
  }
}
