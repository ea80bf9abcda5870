package io.tfew.core.model;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The FFN non-linearities Hugging Face's T5 accepts in {@code feed_forward_proj}.
 *
 * <p>HF splits the field on '-': a {@code gated-} prefix selects {@code wi_0}/{@code wi_1}, the rest
 * names the activation, except that {@code gated-gelu} means the tanh approximation
 * ({@code gelu_new}), which is what T0 and T5 v1.1 were trained with.
 */
public enum FfnActivation {
  RELU("relu"),
  GELU("gelu"),
  GELU_NEW("gelu_new"),
  SILU("silu");

  private final String hfName;

  FfnActivation(String hfName) {
    this.hfName = hfName;
  }

  public String hfName() {
    return hfName;
  }

  static FfnActivation byName(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    if (n.equals("swish")) {
      return SILU;
    }
    for (FfnActivation a : values()) {
      if (a.hfName.equals(n)) {
        return a;
      }
    }
    return null;
  }

  static String allowedNames() {
    return Arrays.stream(values()).map(FfnActivation::hfName).collect(Collectors.joining(", "));
  }

  Operand<TFloat32> apply(Ops tf, Operand<TFloat32> x) {
    switch (this) {
      case RELU:
        return tf.nn.relu(x);
      case GELU: {
        // Exact GELU: 0.5 x (1 + erf(x / sqrt 2)).
        Operand<TFloat32> erf = tf.math.erf(tf.math.mul(x, tf.constant((float) (1.0 / Math.sqrt(2.0)))));
        return tf.math.mul(tf.math.mul(x, tf.constant(0.5f)), tf.math.add(erf, tf.constant(1f)));
      }
      case GELU_NEW: {
        // HF's NewGELUActivation, 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), written with
        // 0.5 (1 + tanh z) = sigmoid(2z) as x sigmoid(x (c + c 0.044715 x^2)), c = 2 sqrt(2/pi): 3 full-size Muls
        // instead of 6 forward, and fewer backward. With (IA)^3 the gradient runs back through every FFN, and the
        // GELU's Muls were the largest group of t5-small-gated's elementwise kernels (bench train --profile).
        // It agrees with the tanh form to float32 rounding (FfnActivationTest).
        double c = 2 * Math.sqrt(2.0 / Math.PI);
        Operand<TFloat32> z = tf.math.mul(x,
            tf.math.add(tf.math.mul(tf.math.square(x), tf.constant((float) (c * 0.044715))), tf.constant((float) c)));
        return tf.math.mul(x, tf.math.sigmoid(z));
      }
      case SILU:
        return tf.math.mul(x, tf.math.sigmoid(x));
      default:
        throw new IllegalStateException(name());
    }
  }
}
