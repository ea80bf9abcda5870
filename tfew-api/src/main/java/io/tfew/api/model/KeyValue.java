package io.tfew.api.model;

import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * Keys and values of one attention layer and the mask over their positions.
 *
 * <p>A prefix method concatenates its own keys and values in front (axis 2) and extends the mask with
 * ones; core pads the relative-position bias with zeros for the added positions, so prefix positions
 * carry no position information, as in Li and Liang's prefix tuning.
 *
 * <pre>{@code
 * Operand<TFloat32> keys = tf.concat(List.of(prefixKeys, kv.keys()), tf.constant(2));
 * }</pre>
 *
 * @param keys {@code [rows, heads, length, d_kv]}
 * @param values {@code [rows, heads, length, d_kv]}
 * @param mask {@code [rows, length]}: 1 where a position may be attended to, 0 where not
 */
public record KeyValue(Operand<TFloat32> keys, Operand<TFloat32> values, Operand<TFloat32> mask) {}
