package io.tfew.core.optim;

import static io.tfew.core.optim.OptimHarness.assertRelativelyClose;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

class GradientClippingTest {
  // Norm sqrt(9 + 16 + 144) = 13 over a [3] and a [1,2] gradient.
  private static final float[] A = {3f, 4f, 0f};
  private static final float[] B = {12f, 0f};

  @Test
  void globalNormIsTheL2NormOfAllGradientsTogether() {
    try (OptimHarness h = new OptimHarness()) {
      h.variable("a", 3);
      h.variable("b", 1, 2);
      Operand<TFloat32> norm = GradientClipping.globalNorm(h.tf, h.gradients());
      assertRelativelyClose(h.evaluate(List.of(norm), A, B).get(0), new double[] {13.0}, 1e-6, "norm");
    }
  }

  @Test
  void clipsToMaxNormWithTorchsEpsilonWhenAbove() {
    try (OptimHarness h = new OptimHarness()) {
      h.variable("a", 3);
      h.variable("b", 1, 2);
      List<Operand<TFloat32>> clipped = GradientClipping.byGlobalNorm(h.tf, h.gradients(), 1.0f);
      List<Operand<TFloat32>> fetch = new ArrayList<>(clipped);
      fetch.add(GradientClipping.globalNorm(h.tf, clipped));
      List<float[]> out = h.evaluate(fetch, A, B);
      // torch: clip_coef = max_norm / (total_norm + 1e-6)
      double coef = 1.0 / (13.0 + 1e-6);
      assertRelativelyClose(out.get(0), new double[] {3 * coef, 4 * coef, 0}, 1e-6, "a");
      assertRelativelyClose(out.get(1), new double[] {12 * coef, 0}, 1e-6, "b");
      assertRelativelyClose(out.get(2), new double[] {13 * coef}, 1e-6, "norm after clipping");
    }
  }

  @Test
  void leavesGradientsUntouchedWhenBelow() {
    try (OptimHarness h = new OptimHarness()) {
      h.variable("a", 3);
      h.variable("b", 1, 2);
      List<float[]> out = h.evaluate(GradientClipping.byGlobalNorm(h.tf, h.gradients(), 20f), A, B);
      assertThat(out.get(0)).containsExactly(A);
      assertThat(out.get(1)).containsExactly(B);
    }
  }

  @Test
  void emptyListsAreFine() {
    try (OptimHarness h = new OptimHarness()) {
      assertThat(GradientClipping.byGlobalNorm(h.tf, List.of(), 1f)).isEmpty();
      assertThat(h.read(GradientClipping.globalNorm(h.tf, List.of()))).containsExactly(0f);
    }
  }
}
