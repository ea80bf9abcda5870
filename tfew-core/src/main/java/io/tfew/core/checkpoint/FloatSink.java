package io.tfew.core.checkpoint;

/**
 * Receives a tensor as float32 in consecutive chunks, in row-major order.
 *
 * <p>The {@code values} array is reused between calls; copy what you need before returning.
 */
@FunctionalInterface
public interface FloatSink {
  /**
   * @param elementOffset index of {@code values[0]} within the flattened tensor
   * @param values buffer holding the chunk; only the first {@code count} entries are valid
   * @param count number of valid entries
   */
  void accept(long elementOffset, float[] values, int count);
}
