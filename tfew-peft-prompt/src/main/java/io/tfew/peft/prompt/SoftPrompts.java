package io.tfew.peft.prompt;

import io.tfew.api.model.EmbeddedInput;
import io.tfew.api.model.SiteContext;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Sum;
import org.tensorflow.op.linalg.MatMul;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Graph pieces shared by the prompt methods. Only ops whose gradients tfew checked against finite
 * differences (tensorflow-java-notes.md) are used: GatherV2, Slice, ConcatV2, Reshape, MatMul, Relu, Sigmoid,
 * Tanh; no Pack, Split or ExpandDims on the trained path.
 */
final class SoftPrompts {
  private SoftPrompts() {}

  /**
   * Each row's prompt: {@code prompts [slots, n, d]} gathered by the row's task. Single-task runs have one
   * slot and all-zero row tasks, so the same gather broadcasts the prompt over the rows.
   */
  static Operand<TFloat32> perRow(SiteContext ctx, Operand<TFloat32> prompts) {
    Ops tf = ctx.tf();
    return tf.gather(prompts, ctx.rowTask(), tf.constant(0));
  }

  /** Rows {@code [from, from + count)} of axis 1 of a {@code [slots, total, d]} tensor. */
  static Operand<TFloat32> rows(Ops tf, Operand<TFloat32> prompts, int from, int count) {
    return tf.slice(prompts, tf.constant(new int[] {0, from, 0}), tf.constant(new int[] {-1, count, -1}));
  }

  /** Prepends {@code prompt [rows, n, d]} and extends the mask with {@code n} ones. */
  static EmbeddedInput prepend(Ops tf, EmbeddedInput in, Operand<TFloat32> prompt, int n) {
    Operand<TFloat32> ones = ones(tf, in, n);
    return new EmbeddedInput(tf.concat(List.of(prompt, in.embeddings()), tf.constant(1)),
        tf.concat(List.of(ones, in.mask()), tf.constant(1)));
  }

  /**
   * P-tuning's split template: {@code first} in front of the input, {@code second} right after each row's
   * last real token, padding after that. Rows are right-padded (real tokens first, as core batches them),
   * so a row's real length is the sum of its mask. Putting the second half at the end of the padded row
   * instead would leave padding between the input and the prompt, which the relative position bias sees.
   *
   * <p>Built as one gather over {@code concat(first, input, second)} flattened to {@code [rows * width, d]}:
   * for output position {@code j} of a row of real length {@code len} (input width {@code L}, halves
   * {@code n1}, {@code n2}) the source is {@code j} for {@code j < n1 + len} (first half, real tokens),
   * {@code j + L - len} for the next {@code n2} (second half), and {@code j - n2} after that (padding).
   */
  static EmbeddedInput split(Ops tf, EmbeddedInput in, Operand<TFloat32> first, int n1, Operand<TFloat32> second,
      int n2, int d) {
    Operand<TInt32> shape = tf.shape(in.embeddings());
    Operand<TInt32> rows = tf.gather(shape, tf.constant(0), tf.constant(0));
    Operand<TInt32> width = tf.gather(shape, tf.constant(1), tf.constant(0));
    Operand<TFloat32> all = tf.concat(List.of(first, in.embeddings(), second), tf.constant(1));
    Operand<TFloat32> allMask = tf.concat(List.of(ones(tf, in, n1), in.mask(), ones(tf, in, n2)), tf.constant(1));
    int n = n1 + n2;
    Operand<TInt32> fullWidth = tf.math.add(width, tf.constant(n));
    // [1, L + n] output positions and [rows, 1] real lengths.
    Operand<TInt32> j = tf.reshape(tf.range(tf.constant(0), fullWidth, tf.constant(1)), tf.constant(new int[] {1, -1}));
    Operand<TInt32> len = tf.reshape(tf.dtypes.cast(tf.math.round(tf.sum(in.mask(), tf.constant(1), Sum.keepDims(false))),
        TInt32.class), tf.constant(new int[] {-1, 1}));
    Operand<TInt32> endReal = tf.math.add(len, tf.constant(n1));
    Operand<TInt32> endSecond = tf.math.add(endReal, tf.constant(n2));
    Operand<TInt32> jRows = tf.math.add(j, tf.zerosLike(len)); // [rows, L + n]
    Operand<TInt32> source = tf.select(tf.math.less(jRows, endReal), jRows,
        tf.select(tf.math.less(jRows, endSecond), tf.math.add(jRows, tf.math.sub(width, len)),
            tf.math.sub(jRows, tf.constant(n2))));
    // Flatten so an axis-0 gather does the per-row lookup.
    Operand<TInt32> rowStart = tf.reshape(tf.math.mul(tf.range(tf.constant(0), rows, tf.constant(1)), fullWidth),
        tf.constant(new int[] {-1, 1}));
    Operand<TInt32> flatIndex = tf.reshape(tf.math.add(source, rowStart), tf.constant(new int[] {-1}));
    Operand<TFloat32> embeddings = tf.reshape(
        tf.gather(tf.reshape(all, tf.constant(new int[] {-1, d})), flatIndex, tf.constant(0)),
        tf.stack(List.of(rows, fullWidth, tf.constant(d))));
    Operand<TFloat32> mask = tf.reshape(tf.gather(tf.reshape(allMask, tf.constant(new int[] {-1})), flatIndex,
        tf.constant(0)), tf.stack(List.of(rows, fullWidth)));
    return new EmbeddedInput(embeddings, mask);
  }

  static Operand<TFloat32> ones(Ops tf, EmbeddedInput in, int n) {
    Operand<TInt32> rows = tf.gather(tf.shape(in.embeddings()), tf.constant(0), tf.constant(0));
    return tf.fill(tf.stack(List.of(rows, tf.constant(n))), tf.constant(1f));
  }

  /** {@code x W^T + b} over the last axis of {@code x [..., in]}; {@code W [out, in]} as PyTorch stores it. */
  static Operand<TFloat32> linear(Ops tf, Operand<TFloat32> x, Operand<TFloat32> w, Operand<TFloat32> b, int in,
      int out) {
    Operand<TFloat32> flat = tf.reshape(x, tf.constant(new int[] {-1, in}));
    Operand<TFloat32> y = tf.math.add(tf.linalg.matMul(flat, w, MatMul.transposeB(true)), b);
    Operand<TInt32> outer = tf.slice(tf.shape(x), tf.constant(new int[] {0}),
        tf.math.sub(tf.shape(tf.shape(x)), tf.constant(new int[] {1})));
    return tf.reshape(y, tf.concat(List.of(outer, tf.constant(new int[] {out})), tf.constant(0)));
  }
}
