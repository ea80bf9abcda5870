package io.tfew.peft.qlora;

/**
 * 4-bit NormalFloat (NF4, Dettmers et al. 2023, "QLoRA", section 3) with block-wise absmax scaling:
 * a weight is flattened row-major, cut into blocks of {@code blockSize} values, each block divided by
 * its largest magnitude, and every value replaced by the index (0..15) of the nearest of 16 levels.
 * Two indices share a byte, the first in the high nibble (bitsandbytes' layout).
 *
 * <pre>{@code
 * Nf4.Quantized q = Nf4.quantize(weight, 64);
 * float[] back = Nf4.dequantize(q.codes(), q.absmax(), weight.length, 64);
 * // |weight[i] - back[i]| <= absmax of i's block * Nf4.maxHalfGap()
 * }</pre>
 */
public final class Nf4 {
  /**
   * The 16 NF4 levels in float32, as printed in the QLoRA paper (Appendix E) and built by bitsandbytes'
   * {@code create_normal_map(offset=0.9677083)}: {@code Phi^-1} at 8 equally spaced probabilities from
   * 0.9677083 down to 0.5 (exclusive) for the positive half and at 7 for the negative half, plus an exact
   * zero, divided by the largest. The asymmetry gives zero an exact code. {@code Nf4Test} recomputes them
   * from that definition.
   */
  private static final float[] LEVELS = {
      -1.0f, -0.6961928009986877f, -0.5250730514526367f, -0.39491748809814453f, -0.28444138169288635f,
      -0.18477343022823334f, -0.09105003625154495f, 0.0f, 0.07958029955625534f, 0.16093020141124725f,
      0.24611230194568634f, 0.33791524171829224f, 0.44070982933044434f, 0.5626170039176941f,
      0.7229568362236023f, 1.0f};
  /** The index of level 0, used for the padding at the end of the last block. */
  public static final int ZERO_CODE = 7;
  /** Decision thresholds: the midpoints between neighbouring levels (nearest-level rounding). */
  private static final float[] MIDPOINTS = new float[15];

  static {
    for (int i = 0; i < 15; i++) {
      MIDPOINTS[i] = (LEVELS[i] + LEVELS[i + 1]) / 2;
    }
  }

  private Nf4() {}

  /** A quantised weight: packed 4-bit codes (two per byte, padded to whole blocks) and one scale per block. */
  public record Quantized(byte[] codes, float[] absmax) {}

  /** The 16 levels, ascending; a copy. */
  public static float[] levels() {
    return LEVELS.clone();
  }

  /** Half the widest gap between neighbouring levels: the worst rounding error relative to the block's absmax. */
  public static double maxHalfGap() {
    double worst = 0;
    for (int i = 0; i < 15; i++) {
      worst = Math.max(worst, ((double) LEVELS[i + 1] - LEVELS[i]) / 2);
    }
    return worst;
  }

  /** Number of blocks covering {@code count} values. */
  public static int blocks(long count, int blockSize) {
    return Math.toIntExact((count + blockSize - 1) / blockSize);
  }

  /** The index of the level nearest to {@code x}, for {@code x} in [-1, 1]. */
  public static int nearest(float x) {
    int lo = 0;
    int hi = 15;
    // Binary search over the 15 midpoints: the code is the number of midpoints below x.
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (x > MIDPOINTS[mid]) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** Quantises {@code values} block by block; {@code blockSize} must be even. */
  public static Quantized quantize(float[] values, int blockSize) {
    requireEven(blockSize);
    int blocks = blocks(values.length, blockSize);
    byte[] codes = new byte[blocks * blockSize / 2];
    float[] absmax = new float[blocks];
    for (int b = 0; b < blocks; b++) {
      int start = b * blockSize;
      int end = Math.min(values.length, start + blockSize);
      float max = 0;
      for (int i = start; i < end; i++) {
        max = Math.max(max, Math.abs(values[i]));
      }
      absmax[b] = max;
      for (int i = start; i < start + blockSize; i += 2) {
        int high = code(values, i, end, max);
        int low = code(values, i + 1, end, max);
        codes[i / 2] = (byte) (high << 4 | low);
      }
    }
    return new Quantized(codes, absmax);
  }

  private static int code(float[] values, int i, int end, float absmax) {
    if (i >= end || absmax == 0) {
      return ZERO_CODE;
    }
    return nearest(values[i] / absmax);
  }

  /**
   * The values the codes stand for: {@code level[code] * absmax[block]} in float32, the same product the
   * graph computes (see {@link Nf4Graph}), so both give identical weights.
   */
  public static float[] dequantize(byte[] codes, float[] absmax, int count, int blockSize) {
    requireEven(blockSize);
    float[] out = new float[count];
    for (int i = 0; i < count; i++) {
      int packed = codes[i / 2] & 0xff;
      int code = i % 2 == 0 ? packed >>> 4 : packed & 0xf;
      out[i] = LEVELS[code] * absmax[i / blockSize];
    }
    return out;
  }

  private static void requireEven(int blockSize) {
    if (blockSize < 2 || blockSize % 2 != 0) {
      throw new IllegalArgumentException("block size " + blockSize + " must be even and at least 2 (two codes per byte)");
    }
  }
}
