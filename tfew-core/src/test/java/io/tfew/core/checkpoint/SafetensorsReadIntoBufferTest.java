package io.tfew.core.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsReadIntoBufferTest {
  @TempDir Path dir;

  private static float[] floats(ByteBuffer written) {
    FloatBuffer f = written.flip().slice().order(written.order()).asFloatBuffer();
    float[] out = new float[f.remaining()];
    f.get(out);
    return out;
  }

  @Test
  void f32GoesIntoADirectBufferBitForBit() {
    float[] values = {1, -2, 3.5f, Float.MIN_VALUE, Float.NaN, -0f, 1e30f};
    Path file = dir.resolve("f.safetensors");
    SafetensorsWriter.write(file, Map.of("w", new FloatTensor(new long[] {7}, values)), null);
    ByteBuffer target = ByteBuffer.allocateDirect(28).order(ByteOrder.LITTLE_ENDIAN);
    try (SafetensorsReader r = SafetensorsReader.open(file)) {
      r.readFloat32("w", 0, target);
    }
    assertThat(target.hasRemaining()).isFalse();
    float[] got = floats(target);
    for (int i = 0; i < values.length; i++) {
      assertThat(Float.floatToRawIntBits(got[i])).isEqualTo(Float.floatToRawIntBits(values[i]));
    }
  }

  @Test
  void aRangeStartsAtTheGivenElement() {
    float[] values = new float[100];
    for (int i = 0; i < values.length; i++) {
      values[i] = i;
    }
    Path file = dir.resolve("f.safetensors");
    SafetensorsWriter.write(file, Map.of("w", new FloatTensor(new long[] {10, 10}, values)), null);
    ByteBuffer target = ByteBuffer.allocateDirect(4 * 5).order(ByteOrder.LITTLE_ENDIAN);
    try (SafetensorsReader r = SafetensorsReader.open(file)) {
      r.readFloat32("w", 95, target);
    }
    assertThat(floats(target)).containsExactly(95, 96, 97, 98, 99);
  }

  @Test
  void bf16IsWidenedAcrossChunkBoundaries() throws IOException {
    int n = 1000;
    int[] bits = new int[n];
    float[] expected = new float[n - 3];
    for (int i = 0; i < n; i++) {
      bits[i] = (i * 37) & 0x7f7f;
      if (i >= 3) {
        expected[i - 3] = Float.intBitsToFloat(bits[i] << 16);
      }
    }
    Path file = RawSafetensors.write(dir.resolve("b.safetensors"),
        "{\"b\":{\"dtype\":\"BF16\",\"shape\":[10,100],\"data_offsets\":[0,2000]}}", RawSafetensors.shortsLe(bits));
    ByteBuffer target = ByteBuffer.allocateDirect(4 * (n - 3)).order(ByteOrder.nativeOrder());
    try (SafetensorsReader r = SafetensorsReader.open(file, 64)) {
      r.readFloat32("b", 3, target);
    }
    assertThat(target.hasRemaining()).isFalse();
    assertThat(floats(target)).containsExactly(expected);
  }

  @Test
  void f16AndF64AreConvertedLikeTheArrayReader() throws IOException {
    byte[] half = RawSafetensors.shortsLe(0x3c00, 0xc000, 0x7bff, 0x0001, 0x03ff, 0x7c00, 0x8000, 0x3555);
    Path h = RawSafetensors.write(dir.resolve("h.safetensors"),
        "{\"h\":{\"dtype\":\"F16\",\"shape\":[8],\"data_offsets\":[0,16]}}", half);
    ByteBuffer d = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putDouble(0.5).putDouble(-1e300);
    Path f64 = RawSafetensors.write(dir.resolve("d.safetensors"),
        "{\"d\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,16]}}", d.array());
    try (SafetensorsReader r = SafetensorsReader.open(h, 8); SafetensorsReader r64 = SafetensorsReader.open(f64)) {
      ByteBuffer target = ByteBuffer.allocateDirect(32).order(ByteOrder.LITTLE_ENDIAN);
      r.readFloat32("h", 0, target);
      assertThat(floats(target)).containsExactly(r.readFloats("h"));
      ByteBuffer target64 = ByteBuffer.allocateDirect(8).order(ByteOrder.LITTLE_ENDIAN);
      r64.readFloat32("d", 0, target64);
      assertThat(floats(target64)).containsExactly(0.5f, Float.NEGATIVE_INFINITY);
    }
  }

  @Test
  void aBigEndianTargetGetsBigEndianFloats() {
    Path file = dir.resolve("f.safetensors");
    SafetensorsWriter.write(file, Map.of("w", new FloatTensor(new long[] {3}, new float[] {1.5f, -2, 7})), null);
    ByteBuffer target = ByteBuffer.allocate(12).order(ByteOrder.BIG_ENDIAN);
    try (SafetensorsReader r = SafetensorsReader.open(file)) {
      r.readFloat32("w", 0, target);
    }
    assertThat(target.getFloat(0)).isEqualTo(1.5f);
    assertThat(target.getFloat(8)).isEqualTo(7f);
  }

  @Test
  void aRangePastTheTensorOrNotWholeFloatsIsRefused() {
    Path file = dir.resolve("f.safetensors");
    SafetensorsWriter.write(file, Map.of("w", new FloatTensor(new long[] {3}, new float[] {1, 2, 3})), null);
    try (SafetensorsReader r = SafetensorsReader.open(file)) {
      assertThatThrownBy(() -> r.readFloat32("w", 1, ByteBuffer.allocateDirect(12)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("\"w\" has 3 elements");
      assertThatThrownBy(() -> r.readFloat32("w", 0, ByteBuffer.allocateDirect(6)))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> r.readFloat32("w", -1, ByteBuffer.allocateDirect(4)))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> r.readFloat32("missing", 0, ByteBuffer.allocateDirect(4)))
          .isInstanceOf(CheckpointException.class).hasMessageContaining("missing");
    }
  }

  @Test
  void integerTensorsAreRefused() throws IOException {
    Path file = RawSafetensors.write(dir.resolve("i.safetensors"),
        "{\"ids\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}", new byte[8]);
    try (SafetensorsReader r = SafetensorsReader.open(file)) {
      assertThatThrownBy(() -> r.readFloat32("ids", 0, ByteBuffer.allocateDirect(4)))
          .isInstanceOf(CheckpointException.class).hasMessageContaining("I64");
    }
  }

  @Test
  void aFileTruncatedAfterOpeningFailsWithACheckpointError() throws IOException {
    Path file = dir.resolve("f.safetensors");
    SafetensorsWriter.write(file, Map.of("w", new FloatTensor(new long[] {64}, new float[64])), null);
    try (SafetensorsReader r = SafetensorsReader.open(file)) {
      try (FileChannel c = FileChannel.open(file, StandardOpenOption.WRITE)) {
        c.truncate(c.size() - 16);
      }
      assertThatThrownBy(() -> r.readFloat32("w", 0, ByteBuffer.allocateDirect(256).order(ByteOrder.LITTLE_ENDIAN)))
          .isInstanceOf(CheckpointException.class).hasMessageContaining("truncated");
    }
  }
}
