package io.tfew.peft.qlora;

/**
 * QLoRA's double quantisation of the NF4 block scales (Dettmers et al. 2023, section 3): the absmax
 * scales, which would cost 32 bits per block of 64 weights (0.5 bit per weight), are centred on their
 * mean and quantised to 8 bits in groups of {@value #GROUP}, with one float32 scale per group (about
 * 0.127 bit per weight in all).
 *
 * <p>bitsandbytes quantises the centred scales with its 8-bit dynamic-exponent code; this class uses
 * symmetric linear 8-bit codes ({@code round(c / s)} with {@code s = max|c| / 127} per group), which
 * costs the same memory and bounds the error of a scale by {@code s / 2}. Codes are stored offset by
 * 128 as unsigned bytes (TensorFlow-Java has no int8 tensor type).
 *
 * <pre>{@code
 * BlockScales.Quantized q = BlockScales.quantize(absmax);
 * float[] scales = BlockScales.dequantize(q, absmax.length);   // |scales[b] - absmax[b]| <= groupScale / 2
 * }</pre>
 */
public final class BlockScales {
  /** Scales per second-level group, as QLoRA's "blocksize of 256 for the second quantisation". */
  public static final int GROUP = 256;
  /** The unsigned code of a centred scale of zero. */
  public static final int ZERO = 128;

  private BlockScales() {}

  /**
   * Quantised scales: codes ({@code round(c / groupScale) + 128}, one per block, padded to whole
   * groups), one float32 scale per group, and the mean subtracted first.
   */
  public record Quantized(byte[] codes, float[] groupScale, float offset) {}

  public static Quantized quantize(float[] absmax) {
    double sum = 0;
    for (float a : absmax) {
      sum += a;
    }
    float offset = absmax.length == 0 ? 0 : (float) (sum / absmax.length);
    int groups = Nf4.blocks(absmax.length, GROUP);
    byte[] codes = new byte[groups * GROUP];
    float[] groupScale = new float[groups];
    java.util.Arrays.fill(codes, (byte) ZERO);
    for (int g = 0; g < groups; g++) {
      int start = g * GROUP;
      int end = Math.min(absmax.length, start + GROUP);
      float max = 0;
      for (int i = start; i < end; i++) {
        max = Math.max(max, Math.abs(absmax[i] - offset));
      }
      float step = max / 127;
      groupScale[g] = step;
      if (step == 0) {
        continue;
      }
      for (int i = start; i < end; i++) {
        long q = Math.round((absmax[i] - offset) / step);
        codes[i] = (byte) (ZERO + Math.max(-127, Math.min(127, q)));
      }
    }
    return new Quantized(codes, groupScale, offset);
  }

  /**
   * The scales the codes stand for, {@code (code - 128) * groupScale + offset} in float32, in the order
   * of operations the graph uses (see {@link Nf4Graph}).
   */
  public static float[] dequantize(Quantized q, int blocks) {
    float[] out = new float[blocks];
    for (int b = 0; b < blocks; b++) {
      float centred = (float) ((q.codes()[b] & 0xff) - ZERO);
      out[b] = centred * q.groupScale()[b / GROUP] + q.offset();
    }
    return out;
  }
}
