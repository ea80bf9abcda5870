package io.tfew.core.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each corruption must surface as a CheckpointException naming the file and the problem. */
class HostileSafetensorsTest {
  @TempDir Path dir;

  private Path file() {
    return dir.resolve("bad.safetensors");
  }

  private AbstractThrowableAssert<?, ? extends Throwable> assertOpenFails(Path file, String problem) {
    return assertThatThrownBy(() -> SafetensorsReader.open(file).close())
        .isInstanceOf(CheckpointException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining(problem);
  }

  private Path withHeader(String header, int dataBytes) throws IOException {
    return RawSafetensors.write(file(), header, new byte[dataBytes]);
  }

  private static String tensor(String name, String body) {
    return "{\"" + name + "\":" + body + "}";
  }

  @Test
  void fileShorterThanEightBytes() throws IOException {
    Files.write(file(), new byte[5]);
    assertOpenFails(file(), "shorter than the 8-byte");
  }

  @Test
  void emptyFile() throws IOException {
    Files.write(file(), new byte[0]);
    assertOpenFails(file(), "only 0 bytes");
  }

  @Test
  void headerLengthLargerThanFile() throws IOException {
    RawSafetensors.write(file(), 1000, "{}".getBytes(StandardCharsets.UTF_8), new byte[0]);
    assertOpenFails(file(), "header of 1000 bytes");
  }

  @Test
  void headerLengthAbsurd() throws IOException {
    RawSafetensors.write(file(), 1L << 40, "{}".getBytes(StandardCharsets.UTF_8), new byte[0]);
    assertOpenFails(file(), "limit");
  }

  @Test
  void headerLengthAboveSignedRange() throws IOException {
    RawSafetensors.write(file(), -1L, "{}".getBytes(StandardCharsets.UTF_8), new byte[0]);
    assertOpenFails(file(), "18446744073709551615");
  }

  @Test
  void headerNotUtf8() throws IOException {
    RawSafetensors.write(file(), 4, new byte[] {'{', (byte) 0xff, (byte) 0xfe, '}'}, new byte[0]);
    assertOpenFails(file(), "not valid UTF-8");
  }

  @Test
  void headerNotJson() throws IOException {
    withHeader("{\"a\": [1, 2", 0);
    assertOpenFails(file(), "not valid JSON");
  }

  @Test
  void headerTrailingGarbage() throws IOException {
    withHeader("{} {}", 0);
    assertOpenFails(file(), "not valid JSON");
  }

  @Test
  void headerNotAnObject() throws IOException {
    withHeader("[1, 2, 3]", 0);
    assertOpenFails(file(), "not a JSON object");
  }

  @Test
  void duplicateTensorNames() throws IOException {
    withHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
        + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8);
    assertOpenFails(file(), "Duplicate field");
  }

  @Test
  void tensorEntryNotAnObject() throws IOException {
    withHeader(tensor("w", "[1]"), 0);
    assertOpenFails(file(), "\"w\" is not a JSON object");
  }

  @Test
  void missingDtype() throws IOException {
    withHeader(tensor("w", "{\"shape\":[1],\"data_offsets\":[0,4]}"), 4);
    assertOpenFails(file(), "\"w\" has no string field \"dtype\"");
  }

  @Test
  void dtypeWrongType() throws IOException {
    withHeader(tensor("w", "{\"dtype\":4,\"shape\":[1],\"data_offsets\":[0,4]}"), 4);
    assertOpenFails(file(), "\"w\" has no string field \"dtype\"");
  }

  @Test
  void missingShape() throws IOException {
    withHeader(tensor("w", "{\"dtype\":\"F32\",\"data_offsets\":[0,4]}"), 4);
    assertOpenFails(file(), "\"w\" has no array field \"shape\"");
  }

  @Test
  void shapeWrongType() throws IOException {
    withHeader(tensor("w", "{\"dtype\":\"F32\",\"shape\":\"1\",\"data_offsets\":[0,4]}"), 4);
    assertOpenFails(file(), "\"w\" has no array field \"shape\"");
  }

  @Test
  void missingDataOffsets() throws IOException {
    withHeader(tensor("w", "{\"dtype\":\"F32\",\"shape\":[1]}"), 4);
    assertOpenFails(file(), "\"w\" has no field \"data_offsets\"");
  }

  @Test
  void dataOffsetsWrongType() throws IOException {
    withHeader(tensor("w", "{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":{\"a\":1}}"), 4);
    assertOpenFails(file(), "\"w\" has no field \"data_offsets\"");
  }

  @Test
  void unknownDtype() throws IOException {
    withHeader(tensor("w", "{\"dtype\":\"F128\",\"shape\":[1],\"data_offsets\":[0,16]}"), 16);
    assertOpenFails(file(), "unknown dtype \"F128\"").hasMessageContaining("BF16");
  }

  @Test
  void negativeShapeDim() throws IOException {
    withHeader(tensor("w", "{\"dtype\":\"F32\",\"shape\":[2,-1],\"data_offsets\":[0,4]}"), 4);
    assertOpenFails(file(), "dimension 1 is not a non-negative integer");
  }

  @Test
  void nonIntegerShapeDim() throws IOException {
    withHeader(tensor("w", "{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}"), 4);
    assertOpenFails(file(), "dimension 0 is not a non-negative integer");
  }

  @Test
  void shapeDimBeyondLong() throws IOException {
    withHeader(tensor("w", "{\"dtype\":\"F32\",\"shape\":[99999999999999999999999],\"data_offsets\":[0,4]}"), 4);
    assertOpenFails(file(), "dimension 0 is not a non-negative integer");
  }

  @Test
  void shapeProductOverflowsLong() throws IOException {
    withHeader(tensor("w", "{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,4]}"), 4);
    assertOpenFails(file(), "overflows");
  }

  @Test
  void byteSizeOverflowsLong() throws IOException {
    withHeader(tensor("w", "{\"dtype\":\"F64\",\"shape\":[4611686018427387904],\"data_offsets\":[0,4]}"), 4);
    assertOpenFails(file(), "overflows");
  }

  @Test
  void absurdShapeWithMatchingOffsetsIsCaughtAsTruncation() throws IOException {
    withHeader(tensor("w", "{\"dtype\":\"F32\",\"shape\":[1000000000000],\"data_offsets\":[0,4000000000000]}"), 4);
    assertOpenFails(file(), "truncated");
  }

  @Test
  void dataOffsetsWrongArity() throws IOException {
    withHeader(tensor("w", "{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,8]}"), 8);
    assertOpenFails(file(), "[begin, end]");
  }

  @Test
  void dataOffsetsNegative() throws IOException {
    withHeader(tensor("w", "{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[-4,0]}"), 4);
    assertOpenFails(file(), "not non-negative integers");
  }

  @Test
  void dataOffsetsBeginAfterEnd() throws IOException {
    withHeader(tensor("w", "{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,4]}"), 8);
    assertOpenFails(file(), "begin > end");
  }

  @Test
  void dataOffsetsDisagreeWithShape() throws IOException {
    withHeader(tensor("w", "{\"dtype\":\"F16\",\"shape\":[3],\"data_offsets\":[0,4]}"), 8);
    assertOpenFails(file(), "needs 6 bytes");
  }

  @Test
  void offsetsBeyondDataSection() throws IOException {
    withHeader(tensor("w", "{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}"), 12);
    assertOpenFails(file(), "data section has only 12 bytes");
  }

  @Test
  void overlappingTensors() throws IOException {
    withHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
        + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12);
    assertOpenFails(file(), "overlapping tensors \"a\" and \"b\"");
  }

  @Test
  void metadataNotAnObject() throws IOException {
    withHeader("{\"__metadata__\":[\"x\"]}", 0);
    assertOpenFails(file(), "\"__metadata__\" that is not a JSON object");
  }

  @Test
  void metadataValueNotAString() throws IOException {
    withHeader("{\"__metadata__\":{\"step\":12}}", 0);
    assertOpenFails(file(), "\"__metadata__\" entry \"step\"");
  }

  @Test
  void deeplyNestedHeaderFailsCleanly() throws IOException {
    withHeader("{\"__metadata__\":" + "[".repeat(5000) + "]".repeat(5000) + "}", 0);
    assertOpenFails(file(), "not valid JSON");
  }

  @Test
  void missingFile() {
    assertOpenFails(dir.resolve("nope.safetensors"), "no such file");
  }

  @Test
  void truncatedAfterOpenFailsOnRead() throws IOException {
    Path file = file();
    SafetensorsWriter.write(file, Map.of("w", new FloatTensor(new long[] {1000}, new float[1000])), null);
    try (SafetensorsReader r = SafetensorsReader.open(file, 256)) {
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
        ch.truncate(ch.size() - 100);
      }
      assertThatThrownBy(() -> r.readFloats("w"))
          .isInstanceOf(CheckpointException.class)
          .hasMessageContaining(file.toString())
          .hasMessageContaining("\"w\"")
          .hasMessageContaining("truncated");
    }
  }

  @Test
  void unknownTensorNameOnRead() throws IOException {
    Path file = file();
    SafetensorsWriter.write(file, Map.of("w", new FloatTensor(new long[] {1}, new float[1])), null);
    try (SafetensorsReader r = SafetensorsReader.open(file)) {
      assertThatThrownBy(() -> r.readFloats("v"))
          .isInstanceOf(CheckpointException.class)
          .hasMessageContaining(file.toString())
          .hasMessageContaining("\"v\"");
    }
  }

  @Test
  void emptyHeaderObjectIsValid() throws IOException {
    withHeader("{}", 0);
    try (SafetensorsReader r = SafetensorsReader.open(file())) {
      assertThat(r.tensors()).isEmpty();
    }
  }
}
