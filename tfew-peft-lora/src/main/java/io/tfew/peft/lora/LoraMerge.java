package io.tfew.peft.lora;

/**
 * Merging a trained LoRA update into a weight array and taking it out again, for exporting a merged
 * checkpoint (no extra matmul at inference) and recovering the base weight from one.
 *
 * <p>Inside a graph, {@code merge: true} does the same through the {@code linearWeight} hook without
 * touching the base variable; this class is for arrays read from files.
 *
 * <pre>{@code
 * float[] w = checkpoint.floats("encoder.block.0.layer.0.SelfAttention.q.weight");   // [out, in]
 * LoraMerge.merge(w, a, b, out, in, r, 2.0);      // w += 2.0 * B A
 * LoraMerge.unmerge(w, a, b, out, in, r, 2.0);    // back to the base weight (up to float rounding)
 * }</pre>
 */
public final class LoraMerge {
  private LoraMerge() {}

  /** {@code weight [out, in] += scaling * B [out, r] A [r, in]}, in place; all arrays row-major. */
  public static void merge(float[] weight, float[] a, float[] b, int out, int in, int r, double scaling) {
    apply(weight, a, b, out, in, r, scaling);
  }

  /** {@code weight -= scaling * B A}, in place: the inverse of {@link #merge}. */
  public static void unmerge(float[] weight, float[] a, float[] b, int out, int in, int r, double scaling) {
    apply(weight, a, b, out, in, r, -scaling);
  }

  private static void apply(float[] weight, float[] a, float[] b, int out, int in, int r, double scaling) {
    if (weight.length != (long) out * in || a.length != (long) r * in || b.length != (long) out * r) {
      throw new IllegalArgumentException("shapes disagree: weight " + weight.length + " values for [" + out + ", "
          + in + "], A " + a.length + " for [" + r + ", " + in + "], B " + b.length + " for [" + out + ", " + r + "]");
    }
    for (int o = 0; o < out; o++) {
      for (int i = 0; i < in; i++) {
        // Accumulate in double so merge then unmerge returns the base weight up to one float rounding.
        double d = 0;
        for (int k = 0; k < r; k++) {
          d += (double) b[o * r + k] * a[k * in + i];
        }
        weight[o * in + i] = (float) (weight[o * in + i] + scaling * d);
      }
    }
  }
}
