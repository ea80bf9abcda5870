package io.tfew.core.optim;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** Gradient clipping by global norm, as {@code torch.nn.utils.clip_grad_norm_} does it. */
public final class GradientClipping {
  private GradientClipping() {}

  /**
   * Scales all gradients by {@code min(1, maxNorm / (globalNorm + 1e-6))}: they shrink together only
   * when their joint L2 norm exceeds {@code maxNorm}, and are multiplied by exactly 1 otherwise.
   */
  public static List<Operand<TFloat32>> byGlobalNorm(Ops tf, List<Operand<TFloat32>> grads, float maxNorm) {
    if (!(maxNorm > 0)) {
      throw new IllegalArgumentException("maxNorm must be > 0, got " + maxNorm);
    }
    if (grads.isEmpty()) {
      return List.of();
    }
    Ops s = tf.withSubScope("clip_by_global_norm");
    Operand<TFloat32> coef = coefficient(s, globalNorm(s, grads), maxNorm);
    List<Operand<TFloat32>> clipped = new ArrayList<>(grads.size());
    for (Operand<TFloat32> g : grads) {
      clipped.add(s.math.mul(g, coef));
    }
    return clipped;
  }

  /**
   * The factor {@link #byGlobalNorm} scales every gradient by, from an already measured global norm:
   * {@code min(1, maxNorm / (norm + 1e-6))}. LOMO's second pass uses it with the norm of its first.
   */
  public static Operand<TFloat32> coefficient(Ops tf, Operand<TFloat32> norm, float maxNorm) {
    if (!(maxNorm > 0)) {
      throw new IllegalArgumentException("maxNorm must be > 0, got " + maxNorm);
    }
    // torch adds 1e-6 to the norm (not to the ratio), so a norm just above maxNorm may still not clip.
    return tf.math.minimum(tf.constant(1f), tf.math.div(tf.constant(maxNorm), tf.math.add(norm, tf.constant(1e-6f))));
  }

  /** The L2 norm of all gradients taken as one vector (a float32 scalar; 0 for an empty list). */
  public static Operand<TFloat32> globalNorm(Ops tf, List<Operand<TFloat32>> grads) {
    if (grads.isEmpty()) {
      return tf.constant(0f);
    }
    List<Operand<TFloat32>> squares = new ArrayList<>(grads.size());
    for (Operand<TFloat32> g : grads) {
      squares.add(Graphs.sumOfSquares(tf, g));
    }
    return tf.math.sqrt(squares.size() == 1 ? squares.get(0) : tf.math.addN(squares));
  }
}
