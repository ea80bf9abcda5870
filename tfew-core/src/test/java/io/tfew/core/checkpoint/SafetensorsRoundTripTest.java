package io.tfew.core.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsRoundTripTest {
  @TempDir Path dir;

  @Test
  void writerOutputReadsBackExactly() {
    Path file = dir.resolve("w.safetensors");
    Map<String, FloatTensor> tensors = new LinkedHashMap<>();
    tensors.put("b.weight", new FloatTensor(new long[] {2, 3}, new float[] {1, -2, 3.5f, 0, Float.MIN_VALUE, 1e30f}));
    tensors.put("a.bias", new FloatTensor(new long[] {3}, new float[] {7, 8, 9}));
    tensors.put("scalar", new FloatTensor(new long[] {}, new float[] {42}));
    tensors.put("empty", new FloatTensor(new long[] {0, 4}, new float[0]));
    SafetensorsWriter.write(file, tensors, Map.of("format", "pt", "step", "12"));

    try (SafetensorsReader r = SafetensorsReader.open(file)) {
      assertThat(r.tensors().keySet()).containsExactly("a.bias", "b.weight", "empty", "scalar");
      assertThat(r.metadata()).containsExactlyInAnyOrderEntriesOf(Map.of("format", "pt", "step", "12"));
      TensorInfo b = r.tensors().get("b.weight");
      assertThat(b.dtype()).isEqualTo(DType.F32);
      assertThat(b.shape()).containsExactly(2, 3);
      assertThat(b.numel()).isEqualTo(6);
      assertThat(r.readFloats("b.weight")).containsExactly(1, -2, 3.5f, 0, Float.MIN_VALUE, 1e30f);
      assertThat(r.readFloats("a.bias")).containsExactly(7, 8, 9);
      assertThat(r.readFloats("scalar")).containsExactly(42);
      assertThat(r.readFloats("empty")).isEmpty();
      assertThat(r.tensors().get("scalar").numel()).isEqualTo(1);
    }
  }

  @Test
  void writerSortsKeysPutsMetadataFirstAndPadsHeaderToEightBytes() throws IOException {
    Path file = dir.resolve("w.safetensors");
    Map<String, FloatTensor> tensors = new LinkedHashMap<>();
    tensors.put("zeta", new FloatTensor(new long[] {1}, new float[] {1}));
    tensors.put("alpha", new FloatTensor(new long[] {2}, new float[] {2, 3}));
    SafetensorsWriter.write(file, tensors, Map.of("k", "v"));

    byte[] bytes = Files.readAllBytes(file);
    long n = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    assertThat(n % 8).isZero();
    String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
    assertThat(header).startsWith("{\"__metadata__\":{\"k\":\"v\"},\"alpha\":"
        + "{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"zeta\":");
    assertThat(header.stripTrailing()).endsWith("}");
    assertThat(header.substring(header.stripTrailing().length())).matches(" *");
    assertThat(bytes.length).isEqualTo(8 + n + 12);
  }

  @Test
  void headerWithoutMetadataOmitsTheKey() throws IOException {
    Path file = dir.resolve("w.safetensors");
    SafetensorsWriter.write(file, Map.of("x", new FloatTensor(new long[] {1}, new float[] {1})), Map.of());
    assertThat(Files.readString(file, StandardCharsets.ISO_8859_1)).doesNotContain("__metadata__");
    try (SafetensorsReader r = SafetensorsReader.open(file)) {
      assertThat(r.metadata()).isEmpty();
    }
  }

  @Test
  void f16ConvertsExactly() throws IOException {
    // 1.0, -2.0, 65504 (max), smallest subnormal 2^-24, largest subnormal, +inf, -inf, -0.0, 0.333251953125
    byte[] data = RawSafetensors.shortsLe(0x3c00, 0xc000, 0x7bff, 0x0001, 0x03ff, 0x7c00, 0xfc00, 0x8000, 0x3555);
    Path file = RawSafetensors.write(dir.resolve("h.safetensors"),
        "{\"h\":{\"dtype\":\"F16\",\"shape\":[9],\"data_offsets\":[0,18]}}", data);
    try (SafetensorsReader r = SafetensorsReader.open(file)) {
      float[] v = r.readFloats("h");
      assertThat(v).containsExactly(1f, -2f, 65504f, 0x1p-24f, 1023 * 0x1p-24f,
          Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0f, 0.333251953125f);
      assertThat(Float.floatToRawIntBits(v[7])).isEqualTo(0x80000000);
    }
  }

  @Test
  void f16NanStaysNan() {
    assertThat(FloatDecoder.halfToFloat((short) 0x7e00)).isNaN();
    assertThat(FloatDecoder.halfToFloat((short) 0xfc01)).isNaN();
  }

  @Test
  void f16AllValuesMatchFloatWidening() {
    // Checks every finite half against its value computed straight from the IEEE definition.
    for (int h = 0; h < 0x10000; h++) {
      float f = FloatDecoder.halfToFloat((short) h);
      int exp = (h >>> 10) & 0x1f;
      if (exp == 0x1f) {
        continue;
      }
      double expected = (exp == 0 ? (h & 0x3ff) * Math.pow(2, -24)
          : (1 + (h & 0x3ff) / 1024.0) * Math.pow(2, exp - 15)) * ((h & 0x8000) != 0 ? -1 : 1);
      assertThat((double) f).as("half 0x%04x", h).isEqualTo(expected);
    }
  }

  @Test
  void bf16ConvertsExactly() throws IOException {
    // 1.0, -2.0, 3.140625, smallest subnormal 2^-133, +inf, -inf, -0.0
    byte[] data = RawSafetensors.shortsLe(0x3f80, 0xc000, 0x4049, 0x0001, 0x7f80, 0xff80, 0x8000);
    Path file = RawSafetensors.write(dir.resolve("b.safetensors"),
        "{\"b\":{\"dtype\":\"BF16\",\"shape\":[7],\"data_offsets\":[0,14]}}", data);
    try (SafetensorsReader r = SafetensorsReader.open(file)) {
      assertThat(r.tensors().get("b").dtype()).isEqualTo(DType.BF16);
      assertThat(r.readFloats("b")).containsExactly(1f, -2f, 3.140625f, 0x1p-133f,
          Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0f);
    }
  }

  @Test
  void f64IsNarrowedToFloat() throws IOException {
    ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putDouble(0.5).putDouble(-1e300);
    Path file = RawSafetensors.write(dir.resolve("d.safetensors"),
        "{\"d\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,16]}}", b.array());
    try (SafetensorsReader r = SafetensorsReader.open(file)) {
      assertThat(r.readFloats("d")).containsExactly(0.5f, Float.NEGATIVE_INFINITY);
    }
  }

  @Test
  void integerTensorsOpenButRefuseFloatReads() throws IOException {
    Path file = RawSafetensors.write(dir.resolve("i.safetensors"),
        "{\"ids\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}", new byte[8]);
    try (SafetensorsReader r = SafetensorsReader.open(file)) {
      assertThat(r.tensors().get("ids").dtype()).isEqualTo(DType.I64);
      assertThatThrownBy(() -> r.readFloats("ids"))
          .isInstanceOf(CheckpointException.class)
          .hasMessageContaining(file.toString())
          .hasMessageContaining("ids")
          .hasMessageContaining("I64");
    }
  }

  @Test
  void streamsLargeTensorInChunks() throws IOException {
    int n = 10_000;
    float[] values = new float[n];
    for (int i = 0; i < n; i++) {
      values[i] = i * 0.25f - 7;
    }
    Path file = dir.resolve("big.safetensors");
    SafetensorsWriter.write(file, Map.of("big", new FloatTensor(new long[] {100, 100}, values)), null);

    List<long[]> chunks = new ArrayList<>();
    float[] collected = new float[n];
    try (SafetensorsReader r = SafetensorsReader.open(file, 4096)) {
      r.readFloats("big", (offset, buf, count) -> {
        chunks.add(new long[] {offset, count});
        System.arraycopy(buf, 0, collected, (int) offset, count);
      });
    }
    assertThat(chunks).hasSizeGreaterThan(1);
    assertThat(chunks.get(0)).containsExactly(0, 1024);
    assertThat(chunks.stream().mapToLong(c -> c[1]).sum()).isEqualTo(n);
    assertThat(collected).containsExactly(values);
  }

  @Test
  void bf16StreamsAcrossChunkBoundaries() throws IOException {
    int n = 1000;
    int[] bits = new int[n];
    float[] expected = new float[n];
    for (int i = 0; i < n; i++) {
      bits[i] = (i * 37) & 0x7f7f;
      expected[i] = Float.intBitsToFloat(bits[i] << 16);
    }
    Path file = RawSafetensors.write(dir.resolve("b.safetensors"),
        "{\"b\":{\"dtype\":\"BF16\",\"shape\":[10,100],\"data_offsets\":[0,2000]}}", RawSafetensors.shortsLe(bits));
    float[] got = new float[n];
    try (SafetensorsReader r = SafetensorsReader.open(file, 64)) {
      r.readFloats("b", (offset, buf, count) -> System.arraycopy(buf, 0, got, (int) offset, count));
    }
    assertThat(got).containsExactly(expected);
  }

  @Test
  void failedWriteLeavesOldFileIntactAndNoTempFile() throws IOException {
    Path file = dir.resolve("keep.safetensors");
    SafetensorsWriter.write(file, Map.of("x", new FloatTensor(new long[] {1}, new float[] {5})), null);
    byte[] before = Files.readAllBytes(file);

    Map<String, FloatTensor> bad = new LinkedHashMap<>();
    bad.put("ok", new FloatTensor(new long[] {1}, new float[] {1}));
    bad.put("__metadata__", new FloatTensor(new long[] {1}, new float[] {1}));
    assertThatThrownBy(() -> SafetensorsWriter.write(file, bad, null))
        .isInstanceOf(CheckpointException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("__metadata__");
    assertThatThrownBy(() -> new FloatTensor(new long[] {2, 2}, new float[3]))
        .isInstanceOf(CheckpointException.class)
        .hasMessageContaining("[2, 2]");

    assertThat(Files.readAllBytes(file)).isEqualTo(before);
    try (var s = Files.list(dir)) {
      assertThat(s.map(p -> p.getFileName().toString())).containsExactly("keep.safetensors");
    }
  }

  @Test
  void failureDuringRenameRemovesTempFile() throws IOException {
    // A non-empty directory cannot be replaced by a file, so the final rename fails after writing.
    Path target = dir.resolve("occupied");
    Files.createDirectory(target);
    Files.writeString(target.resolve("child"), "keep");
    assertThatThrownBy(() -> SafetensorsWriter.write(
            target, Map.of("x", new FloatTensor(new long[] {1}, new float[] {5})), null))
        .isInstanceOf(CheckpointException.class)
        .hasMessageContaining(target.toString());
    assertThat(Files.readString(target.resolve("child"))).isEqualTo("keep");
    try (var s = Files.list(dir)) {
      assertThat(s.map(p -> p.getFileName().toString())).containsExactly("occupied");
    }
  }
}
