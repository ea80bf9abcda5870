package io.tfew.core.lm;

import io.tfew.core.model.T5Model;
import io.tfew.core.model.TokenLogProbs;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Sum;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Teacher-forced language modelling: logits for given targets and the token-mean cross-entropy over
 * the non-ignored targets, as Hugging Face computes {@code loss} when {@code labels} are passed
 * (label -100 is ignored; the decoder input is the labels shifted right, -100 replaced by the pad id).
 */
public final class TeacherForcedGraph {
  /** Label value that marks positions without a target, as in Hugging Face. */
  public static final int IGNORE = -100;

  public final Placeholder<TInt32> inputIds;
  public final Placeholder<TFloat32> inputMask;
  public final Placeholder<TInt32> taskIds;
  /** {@code [B, T]} targets, {@link #IGNORE} where there is none. */
  public final Placeholder<TInt32> labels;
  /** {@code [B, T, V]}. */
  public final Operand<TFloat32> logits;
  /** Scalar: mean cross-entropy over the targets. */
  public final Operand<TFloat32> loss;

  private TeacherForcedGraph(Ops tf, T5Model model) {
    Ops s = tf.withSubScope("lm");
    inputIds = s.withName("input_ids").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1, -1)));
    inputMask = s.withName("input_mask").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, -1)));
    taskIds = s.withName("task_ids").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
    labels = s.withName("labels").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1, -1)));

    int pad = model.config().padTokenId();
    Operand<TBool> present = s.math.notEqual(labels, s.constant(IGNORE));
    Operand<TInt32> targets = s.select(present, labels, s.fill(s.shape(labels), s.constant(pad)));
    Operand<TInt32> rows = s.gather(s.shape(labels), s.constant(0), s.constant(0));
    Operand<TInt32> length = s.gather(s.shape(labels), s.constant(1), s.constant(0));
    Operand<TInt32> start = s.fill(s.stack(List.of(rows, s.constant(1))),
        s.constant(model.config().decoderStartTokenId()));
    Operand<TInt32> shifted = s.slice(targets, s.constant(new int[] {0, 0}),
        s.stack(List.of(s.constant(-1), s.math.sub(length, s.constant(1)))));
    Operand<TInt32> decoderInput = s.concat(List.of(start, shifted), s.constant(1));

    T5Model.Encoded encoded = model.encode(inputIds, inputMask, taskIds);
    logits = model.decode(decoderInput, encoded, null);
    Operand<TFloat32> mask = s.dtypes.cast(present, TFloat32.class);
    Operand<TFloat32> logProbs = TokenLogProbs.of(s, logits, targets);
    Operand<TFloat32> total = s.sum(s.math.mul(logProbs, mask), s.constant(new int[] {0, 1}), Sum.keepDims(false));
    Operand<TFloat32> count = s.sum(mask, s.constant(new int[] {0, 1}), Sum.keepDims(false));
    loss = s.math.neg(s.math.divNoNan(total, count));
  }

  public static TeacherForcedGraph build(Ops tf, T5Model model) {
    return new TeacherForcedGraph(tf, model);
  }
}
