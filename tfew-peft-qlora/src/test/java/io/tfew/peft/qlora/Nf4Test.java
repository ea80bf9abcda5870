package io.tfew.peft.qlora;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** NF4 block quantisation and the double quantisation of its scales, in Java alone. */
class Nf4Test {

  /** Standard normal CDF by Simpson's rule on the density (error far below float precision). */
  private static double phi(double x) {
    int n = 20_000;
    double h = x / n;
    double sum = 0;
    for (int i = 0; i <= n; i++) {
      double t = i * h;
      double w = i == 0 || i == n ? 1 : i % 2 == 1 ? 4 : 2;
      sum += w * Math.exp(-t * t / 2);
    }
    return 0.5 + sum * h / 3 / Math.sqrt(2 * Math.PI);
  }

  private static double inversePhi(double p) {
    double lo = -10;
    double hi = 10;
    for (int i = 0; i < 80; i++) {
      double mid = (lo + hi) / 2;
      if (phi(mid) < p) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    return (lo + hi) / 2;
  }

  @Test
  void levelsFollowTheNormalFloatDefinition() {
    // bitsandbytes' create_normal_map(offset=0.9677083): 8 positive quantiles at linspace(offset, 0.5, 9)[:-1],
    // 7 negative at -linspace(offset, 0.5, 8)[:-1], and zero, divided by the largest.
    double offset = 0.9677083;
    double[] expected = new double[16];
    int k = 0;
    for (int i = 0; i < 7; i++) {
      expected[k++] = -inversePhi(offset - i * (offset - 0.5) / 7);
    }
    expected[k++] = 0;
    for (int i = 7; i >= 0; i--) {
      expected[k++] = inversePhi(offset - i * (offset - 0.5) / 8);
    }
    double max = inversePhi(offset);
    float[] levels = Nf4.levels();
    for (int i = 0; i < 16; i++) {
      assertThat((double) levels[i]).as("level " + i).isCloseTo(expected[i] / max, within(2e-6));
    }
    assertThat(levels[Nf4.ZERO_CODE]).isZero();
  }

  @Test
  void nearestPicksTheClosestLevel() {
    float[] levels = Nf4.levels();
    for (int i = 0; i <= 2000; i++) {
      float x = -1f + i / 1000f;
      int best = 0;
      for (int c = 1; c < 16; c++) {
        if (Math.abs(x - levels[c]) < Math.abs(x - levels[best])) {
          best = c;
        }
      }
      assertThat(Math.abs(x - levels[Nf4.nearest(x)])).as("x = " + x).isEqualTo(Math.abs(x - levels[best]));
    }
  }

  @Test
  void roundTripErrorIsWithinHalfALevelGapOfEachBlocksScale() {
    SplittableRandom random = new SplittableRandom(5);
    float[] w = new float[1000]; // 15 full blocks of 64 and a padded one of 40
    for (int i = 0; i < w.length; i++) {
      double blockScale = 0.01 * (1 + i / 64);
      w[i] = (float) (blockScale * (random.nextDouble() * 2 - 1) * (random.nextBoolean() ? 1 : 3));
    }
    Nf4.Quantized q = Nf4.quantize(w, 64);
    assertThat(q.absmax()).hasSize(16);
    assertThat(q.codes()).hasSize(16 * 32);
    float[] back = Nf4.dequantize(q.codes(), q.absmax(), w.length, 64);
    double worstRelative = 0;
    for (int b = 0; b < 16; b++) {
      float absmax = 0;
      for (int i = b * 64; i < Math.min(w.length, (b + 1) * 64); i++) {
        absmax = Math.max(absmax, Math.abs(w[i]));
      }
      assertThat(q.absmax()[b]).isEqualTo(absmax);
      for (int i = b * 64; i < Math.min(w.length, (b + 1) * 64); i++) {
        double error = Math.abs(w[i] - back[i]);
        assertThat(error).as("element " + i).isLessThanOrEqualTo(absmax * Nf4.maxHalfGap() * (1 + 1e-6));
        worstRelative = Math.max(worstRelative, error / absmax);
        if (Math.abs(w[i]) == absmax) {
          assertThat(back[i]).as("the block's extreme value is a level exactly").isEqualTo(w[i]);
        }
      }
    }
    System.out.printf("NF4 round trip: worst error %.4f x block absmax (bound %.4f)%n", worstRelative,
        Nf4.maxHalfGap());
    // Padding codes stand for zero.
    int padded = q.codes()[999 / 2 + 1] & 0xff;
    assertThat(padded).isEqualTo(Nf4.ZERO_CODE << 4 | Nf4.ZERO_CODE);
  }

  @Test
  void twoCodesPerByteFirstInTheHighNibble() {
    Nf4.Quantized q = Nf4.quantize(new float[] {2f, -2f, 0f, 1f}, 2);
    assertThat(q.absmax()).containsExactly(2f, 1f);
    assertThat(q.codes()).containsExactly((byte) 0xF0, (byte) (Nf4.ZERO_CODE << 4 | 15));
    assertThat(Nf4.dequantize(q.codes(), q.absmax(), 4, 2)).containsExactly(2f, -2f, 0f, 1f);
  }

  @Test
  void anAllZeroBlockStaysZero() {
    Nf4.Quantized q = Nf4.quantize(new float[64], 64);
    assertThat(q.absmax()).containsExactly(0f);
    assertThat(Nf4.dequantize(q.codes(), q.absmax(), 64, 64)).containsOnly(0f);
  }

  @Test
  void oddBlockSizesAreRefused() {
    assertThatThrownBy(() -> Nf4.quantize(new float[4], 3)).hasMessageContaining("even");
  }

  @Test
  void doubleQuantisedScalesAreWithinHalfAStepOfTheirGroup() {
    SplittableRandom random = new SplittableRandom(9);
    float[] absmax = new float[600]; // groups of 256: two full, one padded
    for (int i = 0; i < absmax.length; i++) {
      absmax[i] = (float) (0.02 + 0.05 * random.nextDouble());
    }
    BlockScales.Quantized q = BlockScales.quantize(absmax);
    assertThat(q.groupScale()).hasSize(3);
    assertThat(q.codes()).hasSize(3 * 256);
    float[] back = BlockScales.dequantize(q, absmax.length);
    for (int i = 0; i < absmax.length; i++) {
      double step = q.groupScale()[i / 256];
      assertThat(step).isPositive();
      assertThat((double) Math.abs(back[i] - absmax[i])).as("scale " + i).isLessThanOrEqualTo(step / 2 + 1e-7);
    }
    // Equal scales: nothing to quantise, exact.
    float[] same = {0.5f, 0.5f, 0.5f};
    assertThat(BlockScales.dequantize(BlockScales.quantize(same), 3)).containsExactly(same);
  }
}
