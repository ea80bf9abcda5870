package io.tfew.core.checkpoint;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses and fully validates the JSON header of a safetensors file, so that every later read can
 * trust the offsets it was given.
 */
final class SafetensorsHeader {
  /** Same cap as the reference Rust implementation; larger headers are corrupt or hostile. */
  static final long MAX_HEADER_BYTES = 100_000_000L;

  static final String METADATA_KEY = "__metadata__";

  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private static final String FIX_CORRUPT =
      "the file is corrupt or not a safetensors file; re-download or re-export it";

  final Map<String, TensorInfo> tensors;
  final Map<String, String> metadata;

  private SafetensorsHeader(Map<String, TensorInfo> tensors, Map<String, String> metadata) {
    this.tensors = tensors;
    this.metadata = metadata;
  }

  static SafetensorsHeader read(Path file, FileChannel channel) throws IOException {
    long fileSize = channel.size();
    if (fileSize < 8) {
      throw fail(file, "is only " + fileSize + " bytes, shorter than the 8-byte header length prefix");
    }
    ByteBuffer prefix = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    if (!readFully(channel, prefix, 0)) {
      throw fail(file, "ended while reading the header length (it changed while being opened)");
    }
    long headerLen = prefix.flip().getLong();
    // Compare unsigned: a u64 above 2^63 reads as negative here.
    if (headerLen < 0 || headerLen > MAX_HEADER_BYTES) {
      throw fail(file, "declares a header of " + Long.toUnsignedString(headerLen)
          + " bytes, above the " + MAX_HEADER_BYTES + "-byte limit");
    }
    if (headerLen > fileSize - 8) {
      throw fail(file, "declares a header of " + headerLen + " bytes but the file has only "
          + (fileSize - 8) + " bytes after the prefix (truncated?)");
    }
    ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLen);
    if (!readFully(channel, headerBytes, 8)) {
      throw fail(file, "ended while reading the header (it changed while being opened)");
    }
    String text = decodeUtf8(file, headerBytes.flip());
    long dataStart = 8 + headerLen;
    return parse(file, text, dataStart, fileSize - dataStart);
  }

  private static String decodeUtf8(Path file, ByteBuffer bytes) {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(bytes)
          .toString();
    } catch (CharacterCodingException e) {
      throw fail(file, "has a header that is not valid UTF-8");
    }
  }

  private static SafetensorsHeader parse(Path file, String text, long dataStart, long dataSize) {
    JsonNode root;
    try {
      root = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw fail(file, "has a header that is not valid JSON (" + e.getOriginalMessage() + ")");
    }
    if (root == null || !root.isObject()) {
      throw fail(file, "has a header that is not a JSON object");
    }
    Map<String, TensorInfo> tensors = new LinkedHashMap<>();
    Map<String, String> metadata = Map.of();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getKey().equals(METADATA_KEY)) {
        metadata = parseMetadata(file, e.getValue());
      } else {
        tensors.put(e.getKey(), parseTensor(file, e.getKey(), e.getValue(), dataStart, dataSize));
      }
    }
    checkNoOverlap(file, tensors.values());
    return new SafetensorsHeader(Collections.unmodifiableMap(tensors), metadata);
  }

  private static Map<String, String> parseMetadata(Path file, JsonNode node) {
    if (!node.isObject()) {
      throw fail(file, "has \"__metadata__\" that is not a JSON object of string to string");
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().isTextual()) {
        throw fail(file, "has \"__metadata__\" entry \"" + e.getKey() + "\" whose value is "
            + e.getValue().getNodeType() + ", not a string");
      }
      out.put(e.getKey(), e.getValue().textValue());
    }
    return Collections.unmodifiableMap(out);
  }

  private static TensorInfo parseTensor(
      Path file, String name, JsonNode node, long dataStart, long dataSize) {
    if (!node.isObject()) {
      throw failTensor(file, name, "is not a JSON object with dtype, shape and data_offsets");
    }
    JsonNode dtypeNode = node.get("dtype");
    if (dtypeNode == null || !dtypeNode.isTextual()) {
      throw failTensor(file, name, "has no string field \"dtype\"");
    }
    DType dtype = DType.fromSafetensors(dtypeNode.textValue()).orElseThrow(() -> failTensor(file, name,
        "has unknown dtype \"" + dtypeNode.textValue() + "\" (known: " + DType.knownNames() + ")"));
    long[] shape = parseShape(file, name, node.get("shape"));
    long numel = 1;
    long byteLength;
    try {
      for (long d : shape) {
        numel = Math.multiplyExact(numel, d);
      }
      byteLength = Math.multiplyExact(numel, (long) dtype.byteSize());
    } catch (ArithmeticException e) {
      throw failTensor(file, name, "has shape " + Arrays.toString(shape)
          + " whose size overflows a 64-bit integer");
    }
    long[] offsets = parseOffsets(file, name, node.get("data_offsets"));
    long begin = offsets[0];
    long end = offsets[1];
    if (end - begin != byteLength) {
      throw failTensor(file, name, "has data_offsets [" + begin + ", " + end + "] spanning "
          + (end - begin) + " bytes but shape " + Arrays.toString(shape) + " of " + dtype
          + " needs " + byteLength + " bytes");
    }
    if (end > dataSize) {
      throw failTensor(file, name, "ends at data offset " + end + " but the data section has only "
          + dataSize + " bytes (file truncated?)");
    }
    return new TensorInfo(name, dtype, shape, dataStart + begin, dataStart + end);
  }

  private static long[] parseShape(Path file, String name, JsonNode node) {
    if (node == null || !node.isArray()) {
      throw failTensor(file, name, "has no array field \"shape\"");
    }
    long[] shape = new long[node.size()];
    for (int i = 0; i < shape.length; i++) {
      JsonNode d = node.get(i);
      if (!d.isIntegralNumber() || !d.canConvertToLong() || d.longValue() < 0) {
        throw failTensor(file, name, "has shape " + node + " whose dimension " + i
            + " is not a non-negative integer");
      }
      shape[i] = d.longValue();
    }
    return shape;
  }

  private static long[] parseOffsets(Path file, String name, JsonNode node) {
    if (node == null || !node.isArray() || node.size() != 2) {
      throw failTensor(file, name, "has no field \"data_offsets\" of the form [begin, end]");
    }
    long[] out = new long[2];
    for (int i = 0; i < 2; i++) {
      JsonNode v = node.get(i);
      if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 0) {
        throw failTensor(file, name, "has data_offsets " + node
            + " that are not non-negative integers");
      }
      out[i] = v.longValue();
    }
    if (out[0] > out[1]) {
      throw failTensor(file, name, "has data_offsets " + node + " with begin > end");
    }
    return out;
  }

  private static void checkNoOverlap(Path file, Iterable<TensorInfo> tensors) {
    List<TensorInfo> sorted = new ArrayList<>();
    for (TensorInfo t : tensors) {
      // An empty tensor occupies no bytes, so it cannot clash with anything.
      if (t.dataEnd() > t.dataBegin()) {
        sorted.add(t);
      }
    }
    sorted.sort(Comparator.comparingLong(TensorInfo::dataBegin));
    for (int i = 1; i < sorted.size(); i++) {
      TensorInfo prev = sorted.get(i - 1);
      TensorInfo cur = sorted.get(i);
      if (cur.dataBegin() < prev.dataEnd()) {
        throw fail(file, "has overlapping tensors \"" + prev.name() + "\" and \"" + cur.name()
            + "\" (their data_offsets share bytes)");
      }
    }
  }

  /** Fills {@code dst} from {@code position}; false when the file ends first. */
  static boolean readFully(FileChannel channel, ByteBuffer dst, long position) throws IOException {
    long pos = position;
    while (dst.hasRemaining()) {
      int n = channel.read(dst, pos);
      if (n < 0) {
        return false;
      }
      pos += n;
    }
    return true;
  }

  private static CheckpointException fail(Path file, String problem) {
    return new CheckpointException(file + ": " + problem + "; " + FIX_CORRUPT);
  }

  private static CheckpointException failTensor(Path file, String tensor, String problem) {
    return new CheckpointException(file + ": tensor \"" + tensor + "\" " + problem + "; " + FIX_CORRUPT);
  }
}
