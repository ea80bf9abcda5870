package io.tfew.core.checkpoint;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tfew.core.files.JsonFileError;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * The {@code model.safetensors.index.json} of a sharded checkpoint: which shard file holds which
 * tensor. Shard names are checked to stay inside the model directory, since the index may come from
 * an untrusted download.
 */
public final class ShardIndex {
  /** The index file name Hugging Face uses for sharded safetensors weights. */
  public static final String FILE_NAME = "model.safetensors.index.json";

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  private final Path file;
  private final Map<String, String> weightMap;

  private ShardIndex(Path file, Map<String, String> weightMap) {
    this.file = file;
    this.weightMap = weightMap;
  }

  /** Parses and validates an index file. */
  public static ShardIndex read(Path indexFile) {
    JsonNode root;
    try {
      root = JSON.readTree(indexFile.toFile());
    } catch (IOException e) {
      throw new CheckpointException(indexFile + ": the shard index " + JsonFileError.describe(e)
          + "; re-download the model or remove the broken index", e);
    }
    if (root == null || !root.isObject()) {
      throw new CheckpointException(indexFile + ": shard index is not a JSON object; re-download it");
    }
    JsonNode map = root.get("weight_map");
    if (map == null || !map.isObject()) {
      throw new CheckpointException(indexFile + ": shard index has no object field \"weight_map\""
          + " mapping tensor names to shard files; re-download it");
    }
    Map<String, String> weightMap = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().isTextual()) {
        throw new CheckpointException(indexFile + ": weight_map entry \"" + e.getKey()
            + "\" is not a shard file name string; re-download the index");
      }
      String shard = e.getValue().textValue();
      checkShardName(indexFile, e.getKey(), shard);
      weightMap.put(e.getKey(), shard);
    }
    if (weightMap.isEmpty()) {
      throw new CheckpointException(indexFile + ": weight_map is empty; re-download the index");
    }
    return new ShardIndex(indexFile, Collections.unmodifiableMap(weightMap));
  }

  /**
   * Accepts only plain relative names without "." or ".." segments. Resolved paths are not compared
   * with real paths on purpose: in the Hugging Face cache every file is a symlink out of the
   * snapshot directory into the blob store.
   */
  private static void checkShardName(Path indexFile, String tensor, String shard) {
    boolean bad = shard.isEmpty() || shard.startsWith("/") || shard.contains("\\") || shard.contains(":")
        || shard.indexOf('\0') >= 0;
    if (!bad) {
      for (String seg : shard.split("/", -1)) {
        if (seg.isEmpty() || seg.equals(".") || seg.equals("..")) {
          bad = true;
        }
      }
    }
    if (bad) {
      throw new CheckpointException(indexFile + ": tensor \"" + tensor + "\" points at shard \"" + shard
          + "\", which is not a plain file name inside the model directory; the index is corrupt or"
          + " malicious, re-download it from a trusted source");
    }
  }

  public Path file() {
    return file;
  }

  /** Tensor name to shard file name (relative to the index's directory), in index order. */
  public Map<String, String> weightMap() {
    return weightMap;
  }

  /** Distinct shard file names in order of first appearance. */
  public List<String> shardNames() {
    return new ArrayList<>(new LinkedHashSet<>(weightMap.values()));
  }
}
