package io.tfew.core.model;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TType;

/** Dynamic-shape arithmetic: batch and sequence lengths are only known when a batch is fed. */
final class GraphShapes {
  private final Ops tf;

  GraphShapes(Ops tf) {
    this.tf = tf;
  }

  /** Size of axis {@code axis} of {@code x} as a scalar. */
  Operand<TInt32> dim(Operand<? extends TType> x, int axis) {
    return tf.gather(tf.shape(x), tf.constant(axis), tf.constant(0));
  }

  /** A shape vector from scalars and literal sizes ({@code Integer}). */
  Operand<TInt32> shape(Object... dims) {
    List<Operand<TInt32>> parts = new ArrayList<>();
    for (Object d : dims) {
      if (d instanceof Integer i) {
        parts.add(tf.constant(i));
      } else {
        @SuppressWarnings("unchecked")
        Operand<TInt32> o = (Operand<TInt32>) d;
        parts.add(o);
      }
    }
    return tf.stack(parts);
  }
}
