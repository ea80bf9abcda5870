package io.tfew.core.checkpoint;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The element types a safetensors header may declare, with their on-disk width.
 *
 * <p>All standard types are recognised so that a checkpoint holding, say, an {@code I64} buffer still
 * opens; only the floating point ones can be read as {@code float}.
 */
public enum DType {
  F64("F64", 8, true),
  F32("F32", 4, true),
  F16("F16", 2, true),
  BF16("BF16", 2, true),
  I64("I64", 8, false),
  I32("I32", 4, false),
  I16("I16", 2, false),
  I8("I8", 1, false),
  U64("U64", 8, false),
  U32("U32", 4, false),
  U16("U16", 2, false),
  U8("U8", 1, false),
  BOOL("BOOL", 1, false);

  private final String safetensorsName;
  private final int byteSize;
  private final boolean floatReadable;

  DType(String safetensorsName, int byteSize, boolean floatReadable) {
    this.safetensorsName = safetensorsName;
    this.byteSize = byteSize;
    this.floatReadable = floatReadable;
  }

  /** The spelling used in safetensors headers, e.g. {@code "BF16"}. */
  public String safetensorsName() {
    return safetensorsName;
  }

  /** Bytes per element on disk. */
  public int byteSize() {
    return byteSize;
  }

  /** Whether {@link SafetensorsReader#readFloats} can convert this type to float32. */
  public boolean isFloatReadable() {
    return floatReadable;
  }

  /** Parses a header dtype string; case-sensitive, as the format is. */
  public static Optional<DType> fromSafetensors(String name) {
    for (DType t : values()) {
      if (t.safetensorsName.equals(name)) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }

  static String knownNames() {
    return Arrays.stream(values()).map(DType::safetensorsName).collect(Collectors.joining(", "));
  }
}
