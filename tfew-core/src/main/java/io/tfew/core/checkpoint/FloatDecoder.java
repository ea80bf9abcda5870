package io.tfew.core.checkpoint;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/** Converts little-endian floating point elements of any readable {@link DType} to float32. */
final class FloatDecoder {
  private FloatDecoder() {}

  /** Decodes {@code count} elements from {@code src} (little endian) into {@code dst[0..count)}. */
  static void decode(DType dtype, ByteBuffer src, float[] dst, int count) {
    ByteBuffer le = src.order(ByteOrder.LITTLE_ENDIAN);
    switch (dtype) {
      case F32 -> le.asFloatBuffer().get(dst, 0, count);
      case F64 -> {
        for (int i = 0; i < count; i++) {
          dst[i] = (float) le.getDouble(le.position() + 8 * i);
        }
      }
      case F16 -> {
        for (int i = 0; i < count; i++) {
          dst[i] = halfToFloat(le.getShort(le.position() + 2 * i));
        }
      }
      case BF16 -> {
        for (int i = 0; i < count; i++) {
          // bfloat16 is the top half of a float32, so widening is a shift and always exact.
          dst[i] = Float.intBitsToFloat((le.getShort(le.position() + 2 * i) & 0xffff) << 16);
        }
      }
      default -> throw new IllegalArgumentException("not a float dtype: " + dtype);
    }
  }

  /**
   * Decodes {@code count} elements from {@code src} (little endian) into {@code dst} at its position, which it
   * advances; {@code dst} may be a view of native memory in any byte order.
   */
  static void decode(DType dtype, ByteBuffer src, FloatBuffer dst, int count) {
    ByteBuffer le = src.order(ByteOrder.LITTLE_ENDIAN);
    int at = le.position();
    switch (dtype) {
      case F32 -> {
        for (int i = 0; i < count; i++) {
          dst.put(le.getFloat(at + 4 * i));
        }
      }
      case F64 -> {
        for (int i = 0; i < count; i++) {
          dst.put((float) le.getDouble(at + 8 * i));
        }
      }
      case F16 -> {
        for (int i = 0; i < count; i++) {
          dst.put(halfToFloat(le.getShort(at + 2 * i)));
        }
      }
      case BF16 -> {
        for (int i = 0; i < count; i++) {
          dst.put(Float.intBitsToFloat((le.getShort(at + 2 * i) & 0xffff) << 16));
        }
      }
      default -> throw new IllegalArgumentException("not a float dtype: " + dtype);
    }
  }

  /** IEEE 754 binary16 to binary32; every half value is exactly representable as a float. */
  static float halfToFloat(short bits) {
    int h = bits & 0xffff;
    int sign = (h & 0x8000) << 16;
    int exp = (h >>> 10) & 0x1f;
    int mant = h & 0x3ff;
    if (exp == 0x1f) {
      // Inf or NaN; keep the NaN payload so distinct NaNs stay distinct.
      return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
    }
    if (exp == 0) {
      if (mant == 0) {
        return Float.intBitsToFloat(sign);
      }
      // Subnormal half: value = mant * 2^-24, which a float holds exactly as a normal number.
      float v = mant * 0x1p-24f;
      return sign == 0 ? v : -v;
    }
    return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
  }
}
