package io.tfew.core.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Builds safetensors files byte by byte, so tests can craft exactly the corruption they need. */
final class RawSafetensors {
  private RawSafetensors() {}

  static Path write(Path file, String headerJson, byte[] data) throws IOException {
    byte[] header = headerJson.getBytes(StandardCharsets.UTF_8);
    return write(file, header.length, header, data);
  }

  static Path write(Path file, long declaredHeaderLength, byte[] header, byte[] data) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
    buf.putLong(declaredHeaderLength).put(header).put(data);
    Files.write(file, buf.array());
    return file;
  }

  static byte[] shortsLe(int... values) {
    ByteBuffer b = ByteBuffer.allocate(2 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    for (int v : values) {
      b.putShort((short) v);
    }
    return b.array();
  }

  static byte[] floatsLe(float... values) {
    ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      b.putFloat(v);
    }
    return b.array();
  }
}
