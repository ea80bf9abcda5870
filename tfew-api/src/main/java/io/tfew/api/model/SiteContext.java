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
}
