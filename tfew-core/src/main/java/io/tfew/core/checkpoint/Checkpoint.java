package io.tfew.core.checkpoint;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The weights of a Hugging Face model directory, stored either as one {@code model.safetensors} or
 * as shards listed in {@code model.safetensors.index.json}.
 *
 * <p>Every file is opened and its header validated up front, and every tensor the index promises is
 * checked to be present, so that a broken download fails at load time with a clear message.
 *
 * <pre>{@code
 * try (Checkpoint ckpt = Checkpoint.open(modelDir)) {
 *   float[] emb = ckpt.readFloats("shared.weight");
 * }
 * }</pre>
 */
public final class Checkpoint implements AutoCloseable {
  /** The single-file weights name Hugging Face uses. */
  public static final String SINGLE_FILE = "model.safetensors";

  private final Path dir;
  private final List<SafetensorsReader> readers;
  private final Map<String, SafetensorsReader> byTensor;

  private Checkpoint(Path dir, List<SafetensorsReader> readers, Map<String, SafetensorsReader> byTensor) {
    this.dir = dir;
    this.readers = readers;
    this.byTensor = byTensor;
  }

  /** Opens the weights in {@code modelDir}; a single file wins over an index when both exist. */
  public static Checkpoint open(Path modelDir) {
    if (!Files.isDirectory(modelDir)) {
      throw new CheckpointException(modelDir + ": not a directory; pass a model directory containing "
          + SINGLE_FILE + " or " + ShardIndex.FILE_NAME);
    }
    Path single = modelDir.resolve(SINGLE_FILE);
    if (Files.exists(single)) {
      return openSingle(modelDir, single);
    }
    Path index = modelDir.resolve(ShardIndex.FILE_NAME);
    if (Files.exists(index)) {
      return openSharded(modelDir, ShardIndex.read(index));
    }
    String hint = Files.exists(modelDir.resolve("pytorch_model.bin"))
        ? " (found pytorch_model.bin: convert it to safetensors, e.g. with transformers'"
            + " save_pretrained(..., safe_serialization=True))"
        : "";
    throw new CheckpointException(modelDir + ": no weights found; expected " + SINGLE_FILE + " or "
        + ShardIndex.FILE_NAME + " with its shards" + hint
        + "; download the full model or point at the right directory");
  }

  private static Checkpoint openSingle(Path dir, Path file) {
    SafetensorsReader r = SafetensorsReader.open(file);
    Map<String, SafetensorsReader> byTensor = new LinkedHashMap<>();
    for (String name : r.tensors().keySet()) {
      byTensor.put(name, r);
    }
    return new Checkpoint(dir, List.of(r), Collections.unmodifiableMap(byTensor));
  }

  private static Checkpoint openSharded(Path dir, ShardIndex index) {
    List<SafetensorsReader> readers = new ArrayList<>();
    try {
      Map<String, SafetensorsReader> byShard = new LinkedHashMap<>();
      for (String shard : index.shardNames()) {
        Path path = dir.resolve(shard);
        if (!Files.exists(path)) {
          throw new CheckpointException(index.file() + ": lists shard \"" + shard + "\" but " + path
              + " does not exist; finish downloading the model (all shards are needed)");
        }
        SafetensorsReader r = SafetensorsReader.open(path);
        readers.add(r);
        byShard.put(shard, r);
      }
      Map<String, SafetensorsReader> byTensor = new LinkedHashMap<>();
      for (Map.Entry<String, String> e : index.weightMap().entrySet()) {
        SafetensorsReader r = byShard.get(e.getValue());
        if (!r.tensors().containsKey(e.getKey())) {
          throw new CheckpointException(index.file() + ": lists tensor \"" + e.getKey() + "\" in shard "
              + r.file() + " but that shard has no such tensor; the index and shards are from"
              + " different versions, re-download the model");
        }
        byTensor.put(e.getKey(), r);
      }
      return new Checkpoint(dir, List.copyOf(readers), Collections.unmodifiableMap(byTensor));
    } catch (RuntimeException e) {
      readers.forEach(SafetensorsReader::close);
      throw e;
    }
  }

  /** Names of all tensors, in file (or index) order. */
  public Set<String> tensorNames() {
    return byTensor.keySet();
  }

  /** The tensor's header entry; a {@link CheckpointException} naming the tensor and files if absent. */
  public TensorInfo info(String name) {
    return reader(name).info(name);
  }

  /** Streams a tensor as float32; see {@link SafetensorsReader#readFloats(String, FloatSink)}. */
  public void readFloats(String name, FloatSink sink) {
    reader(name).readFloats(name, sink);
  }

  /** Reads part of a tensor as float32 into a buffer; see {@link SafetensorsReader#readFloat32}. */
  public void readFloat32(String name, long firstElement, ByteBuffer target) {
    reader(name).readFloat32(name, firstElement, target);
  }

  /** Reads a whole tensor into a new array. */
  public float[] readFloats(String name) {
    return reader(name).readFloats(name);
  }

  /** The weight files, in the order they were opened. */
  public List<Path> files() {
    return readers.stream().map(SafetensorsReader::file).toList();
  }

  private SafetensorsReader reader(String name) {
    SafetensorsReader r = byTensor.get(name);
    if (r == null) {
      throw new CheckpointException("tensor \"" + name + "\" not found in " + describeFiles()
          + " (" + byTensor.size() + " tensors); check the tensor name, or that the checkpoint"
          + " matches the model architecture" + suggestion(name));
    }
    return r;
  }

  private String describeFiles() {
    List<Path> files = files();
    return files.size() == 1 ? files.get(0).toString() : dir + " (shards " + files + ")";
  }

  /** Names often differ only by a prefix ("encoder." vs "model.encoder."), so offer one. */
  private String suffixMatch(String name) {
    String tail = name.substring(name.indexOf('.') + 1);
    for (String candidate : byTensor.keySet()) {
      if (candidate.endsWith(tail) || name.endsWith(candidate)) {
        return candidate;
      }
    }
    return null;
  }

  private String suggestion(String name) {
    String match = suffixMatch(name);
    return match == null ? "" : " (did you mean \"" + match + "\"?)";
  }

  @Override
  public void close() {
    readers.forEach(SafetensorsReader::close);
  }
}
