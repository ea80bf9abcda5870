package io.tfew.core.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.tfew.core.checkpoint.FloatTensor;
import io.tfew.core.checkpoint.SafetensorsWriter;
import io.tfew.core.model.T5Config;
import io.tfew.core.model.T5Weights;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Writes a Hugging Face directory (config.json + model.safetensors) with random weights of a shape, for
 * benchmarks and tests that need a model of a real architecture but not its trained values.
 *
 * <pre>{@code
 * long bytes = RandomCheckpointWriter.write(RandomModels.t5Small(), Path.of("/tmp/t5-small-random"), 0L);
 * }</pre>
 */
public final class RandomCheckpointWriter {
  private RandomCheckpointWriter() {}

  /**
   * Uniform bound giving T5-like scales: unit-variance embeddings (Mesh TF's init), linears with
   * variance 1/fan_in so activations keep their size through a random network, norms at 1 (bound 0).
   */
  private static float[] draw(String key, long[] shape, SplittableRandom random) {
    float[] values = new float[Math.toIntExact(elements(shape))];
    double bound = bound(key, shape);
    for (int i = 0; i < values.length; i++) {
      values[i] = bound == 0 ? 1f : (float) ((random.nextDouble() * 2 - 1) * bound);
    }
    return values;
  }

  private static long elements(long[] shape) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return n;
  }

  private static double bound(String key, long[] shape) {
    if (key.endsWith("layer_norm.weight")) {
      return 0;
    }
    if (key.equals("shared.weight")) {
      return Math.sqrt(3);
    }
    if (key.endsWith("relative_attention_bias.weight")) {
      return 0.1;
    }
    return Math.sqrt(3.0 / shape[shape.length - 1]);
  }

  /**
   * Above this many float32 bytes the weights are drawn one tensor at a time as the file is written, so a
   * checkpoint larger than the heap (T0-3B: 11.4 GB) can be written at all.
   */
  static final long STREAMED_ABOVE_BYTES = 1L << 30;

  /** Writes the checkpoint and returns its float32 payload size in bytes. */
  public static long write(T5Config c, Path dir, long seed) {
    return write(c, dir, seed, STREAMED_ABOVE_BYTES);
  }

  static long write(T5Config c, Path dir, long seed, long streamedAboveBytes) {
    Map<String, long[]> shapes = T5Weights.expectedShapes(c);
    long bytes = 0;
    for (long[] shape : shapes.values()) {
      bytes += 4 * elements(shape);
    }
    if (bytes <= streamedAboveBytes) {
      // One stream in the model's own order: the draws every smaller checkpoint (the tests' tiny models, the
      // mini-T0 initialisation) has always had.
      Map<String, FloatTensor> tensors = new LinkedHashMap<>();
      SplittableRandom random = new SplittableRandom(seed);
      for (Map.Entry<String, long[]> e : shapes.entrySet()) {
        tensors.put(e.getKey(), new FloatTensor(e.getValue(), draw(e.getKey(), e.getValue(), random)));
      }
      SafetensorsWriter.write(dir.resolve("model.safetensors"), tensors, Map.of("format", "pt"));
    } else {
      // The writer asks in name order, so each tensor gets its own stream, split off in the model's order.
      SplittableRandom root = new SplittableRandom(seed);
      Map<String, SplittableRandom> streams = new LinkedHashMap<>();
      shapes.keySet().forEach(name -> streams.put(name, root.split()));
      SafetensorsWriter.write(dir.resolve("model.safetensors"), shapes,
          name -> draw(name, shapes.get(name), streams.get(name)), Map.of("format", "pt"));
    }
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("model_type", "t5");
    json.put("d_model", c.dModel());
    json.put("d_kv", c.dKv());
    json.put("num_heads", c.numHeads());
    json.put("d_ff", c.dFf());
    json.put("num_layers", c.numLayers());
    json.put("num_decoder_layers", c.numDecoderLayers());
    json.put("vocab_size", c.vocabSize());
    json.put("relative_attention_num_buckets", c.relativeAttentionNumBuckets());
    json.put("relative_attention_max_distance", c.relativeAttentionMaxDistance());
    json.put("feed_forward_proj", (c.gatedFfn() ? "gated-" : "") + (c.activation().hfName().equals("gelu_new") && c.gatedFfn() ? "gelu" : c.activation().hfName()));
    json.put("tie_word_embeddings", c.tieWordEmbeddings());
    json.put("layer_norm_epsilon", c.layerNormEpsilon());
    try {
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(dir.resolve("config.json").toFile(), json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes;
  }
}
