package io.tfew.api.model;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TInt32;

/**
 * What a rewrite may use while the graph is built: the op factory, the parameter store, the model's
 * sizes, and the task of every row passing through the site.
 *
 * <p>Rows are not always examples: in rank classification the decoder sees one row per
 * (example, answer choice), so {@link #rowTask()} is given per row of the tensors at that site. A
 * method holding adapters for several tasks gathers its per-task parameters with it:
 *
 * <pre>{@code
 * // vectors: [taskCount, n]; scale: [rows, 1, n] broadcast over positions
 * Operand<TFloat32> perRow = tf.gather(vectors, ctx.rowTask(), tf.constant(0));
 * Operand<TFloat32> scaled = tf.math.mul(output, tf.expandDims(perRow, tf.constant(1)));
 * }</pre>
 */
public interface SiteContext {
  /** Ops scoped under the site's HF module path. */
  Ops tf();

  Parameters parameters();

  ModelDims dims();

  /** Task index of each row at this site, shape {@code [rows]}; all zeros for single-task runs. */
  Operand<TInt32> rowTask();

  /** Number of task slots a multi-task method should hold (1 for single-task runs). */
  int taskCount();

  /** True when the graph is built for training (dropout on), false for evaluation. */
  boolean training();

  /**
   * Inverted dropout at {@code rate}, the same kind the model itself uses: the mask is a stateless
   * function of the run's seed, the step and the call site, so a resumed run draws the masks the
   * uninterrupted run drew. Returns {@code x} unchanged when not training or when {@code rate} is 0.
   *
   * <pre>{@code
   * Operand<TFloat32> branch = ctx.dropout(input, 0.05);   // LoRA's lora_dropout
   * }</pre>
   */
  Operand<org.tensorflow.types.TFloat32> dropout(Operand<org.tensorflow.types.TFloat32> x, double rate);
}
