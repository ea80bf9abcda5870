package io.tfew.api.model;

import java.nio.Buffer;

/**
 * Computes a frozen tensor from one base weight's checkpoint values; see
 * {@link Parameters#frozenFromBase}.
 *
 * <p>The returned buffer's kind must match the declared tensor type: a {@link java.nio.ByteBuffer}
 * for {@code TUint8}, a {@link java.nio.FloatBuffer} for {@code TFloat32}, an
 * {@link java.nio.IntBuffer} for {@code TInt32}, a {@link java.nio.LongBuffer} for {@code TInt64}. Its
 * remaining elements are the tensor's values, row-major; their count must equal the declared shape's size.
 *
 * <pre>{@code
 * // 8-bit codes 1..255 of a weight whose values lie in [-1, 1] (128 is 0)
 * BaseDerivation codes = (base, shape) -> {
 *   byte[] out = new byte[base.length];
 *   for (int i = 0; i < base.length; i++) out[i] = (byte) (128 + Math.round(base[i] * 127));
 *   return ByteBuffer.wrap(out);
 * };
 * }</pre>
 *
 * <p>Core calls it on the loading thread, once per load of the weight, with an array it may reuse
 * afterwards: an implementation must not keep {@code base}, nor change it.
 */
@FunctionalInterface
public interface BaseDerivation {
  /**
   * @param base the base weight's values as float32, row-major
   * @param baseShape the base weight's shape, e.g. {@code [out, in]} for a linear
   */
  Buffer derive(float[] base, long[] baseShape);
}
