package io.tfew.core.model;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tfew.api.TfewException;
import io.tfew.api.model.ModelDims;
import io.tfew.core.files.InputFile;
import io.tfew.core.files.JsonFileError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The fields of a Hugging Face T5 {@code config.json} that define the network, with HF's defaults.
 *
 * <pre>{@code
 * T5Config t0 = T5Config.read(Path.of("models/T0_3B/config.json"));
 * long weights = t0.parameterCount();          // every base weight, about 2.8e9 for T0-3B
 * T5Config training = t0.withDropout(0.0);     // the same network, trained without dropout
 * }</pre>
 *
 * @param source the file it was read from, for error messages
 */
public record T5Config(
    Path source,
    int dModel,
    int dKv,
    int numHeads,
    int dFf,
    int numLayers,
    int numDecoderLayers,
    int vocabSize,
    int relativeAttentionNumBuckets,
    int relativeAttentionMaxDistance,
    double layerNormEpsilon,
    boolean gatedFfn,
    FfnActivation activation,
    boolean tieWordEmbeddings,
    double dropoutRate,
    int decoderStartTokenId,
    int padTokenId,
    int eosTokenId) {

  // Widths beyond this are not T5-family checkpoints but typos or hostile files; they would only
  // produce an out-of-memory error far from the cause.
  private static final int MAX_WIDTH = 1 << 20;

  public static T5Config read(Path configJson) {
    InputFile.regular(configJson, "a Hugging Face model directory needs its config.json as a regular file");
    JsonNode root;
    try {
      // Two values for one key is a broken file, not a choice for the parser to make.
      root = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).readTree(configJson.toFile());
    } catch (IOException e) {
      throw new TfewException(configJson + ": " + JsonFileError.describe(e)
          + "; restore the file from the model's download");
    }
    if (root == null || !root.isObject()) {
      throw new TfewException(configJson + ": expected a JSON object with the model's hyper-parameters");
    }
    Reader r = new Reader(configJson, root);
    String modelType = r.string("model_type", "t5");
    if (!modelType.equals("t5") && !modelType.equals("mt5")) {
      throw new TfewException(configJson + ": model_type is '" + modelType
          + "' but tfew runs T5-family encoder-decoders (model_type t5 or mt5)");
    }
    int numLayers = r.positiveInt("num_layers", null);
    String proj = r.string("feed_forward_proj", "relu");
    String[] parts = proj.split("-");
    boolean gated = parts[0].equals("gated");
    if ((parts.length > 1 && !gated) || parts.length > 2) {
      throw new TfewException(configJson + ": feed_forward_proj '" + proj
          + "' is not of the form '{ACT}' or 'gated-{ACT}' (e.g. 'relu', 'gated-gelu')");
    }
    String actName = proj.equals("gated-gelu") ? "gelu_new" : parts[parts.length - 1];
    FfnActivation act = FfnActivation.byName(actName);
    if (act == null) {
      throw new TfewException(configJson + ": feed_forward_proj '" + proj + "' names activation '" + actName
          + "'; supported: " + FfnActivation.allowedNames());
    }
    int buckets = r.positiveInt("relative_attention_num_buckets", 32);
    if (buckets < 2) {
      throw new TfewException(configJson + ": relative_attention_num_buckets must be at least 2, found " + buckets);
    }
    int maxDistance = r.positiveInt("relative_attention_max_distance", 128);
    T5Config config = new T5Config(
        configJson,
        r.positiveInt("d_model", null),
        r.positiveInt("d_kv", null),
        r.positiveInt("num_heads", null),
        r.positiveInt("d_ff", null),
        numLayers,
        r.positiveInt("num_decoder_layers", numLayers),
        r.positiveInt("vocab_size", null),
        buckets,
        maxDistance,
        r.positiveDouble("layer_norm_epsilon", 1e-6),
        gated,
        act,
        r.bool("tie_word_embeddings", true),
        r.fraction("dropout_rate", 0.1),
        r.nonNegativeInt("decoder_start_token_id", 0),
        r.nonNegativeInt("pad_token_id", 0),
        r.nonNegativeInt("eos_token_id", 1));
    // relative_attention_max_distance must exceed the exact-bucket range or HF's log formula divides by
    // log(1) = 0.
    int maxExact = buckets / 4;
    if (maxDistance <= Math.max(maxExact, 1)) {
      throw new TfewException(configJson + ": relative_attention_max_distance (" + maxDistance
          + ") must be larger than relative_attention_num_buckets / 4 (" + maxExact + ")");
    }
    for (String f : new String[] {"decoder_start_token_id", "pad_token_id", "eos_token_id"}) {
      int id = f.equals("pad_token_id") ? config.padTokenId
          : f.equals("eos_token_id") ? config.eosTokenId : config.decoderStartTokenId;
      if (id >= config.vocabSize) {
        throw new TfewException(configJson + ": " + f + " = " + id + " is outside the vocabulary (vocab_size "
            + config.vocabSize + ")");
      }
    }
    return config;
  }

  /** The same architecture with another dropout rate (training configs override the checkpoint's). */
  public T5Config withDropout(double rate) {
    if (!(rate >= 0 && rate < 1)) {
      throw new TfewException("dropout = " + rate + ": must be in [0, 1)");
    }
    return new T5Config(source, dModel, dKv, numHeads, dFf, numLayers, numDecoderLayers, vocabSize,
        relativeAttentionNumBuckets, relativeAttentionMaxDistance, layerNormEpsilon, gatedFfn, activation,
        tieWordEmbeddings, rate, decoderStartTokenId, padTokenId, eosTokenId);
  }

  public ModelDims dims() {
    return new ModelDims(dModel, numHeads, dKv, dFf, numLayers, numDecoderLayers, vocabSize, gatedFfn);
  }

  /** Width of the concatenated attention heads, {@code num_heads * d_kv}; may differ from d_model. */
  public int innerDim() {
    return numHeads * dKv;
  }

  /** Number of base-model parameters the config implies (embeddings counted once when tied). */
  public long parameterCount() {
    return T5Weights.expectedShapes(this).values().stream()
        .mapToLong(s -> {
          long n = 1;
          for (long d : s) {
            n *= d;
          }
          return n;
        }).sum();
  }

  /** Reads typed fields, naming the file, the field and the fix when one is missing or malformed. */
  private record Reader(Path file, JsonNode root) {
    int positiveInt(String field, Integer dflt) {
      int v = integer(field, dflt);
      if (v < 1 || v > MAX_WIDTH) {
        throw new TfewException(file + ": field '" + field + "' = " + v + " must be between 1 and " + MAX_WIDTH);
      }
      return v;
    }

    int nonNegativeInt(String field, int dflt) {
      int v = integer(field, dflt);
      if (v < 0) {
        throw new TfewException(file + ": field '" + field + "' = " + v + " must not be negative");
      }
      return v;
    }

    private int integer(String field, Integer dflt) {
      JsonNode n = root.get(field);
      if (n == null || n.isNull()) {
        if (dflt == null) {
          throw new TfewException(file + ": field '" + field + "' is missing; a T5 config.json must set it");
        }
        return dflt;
      }
      if (!n.canConvertToInt() || !n.isIntegralNumber()) {
        throw new TfewException(file + ": field '" + field + "' must be an integer, found " + n);
      }
      return n.intValue();
    }

    double positiveDouble(String field, double dflt) {
      double v = number(field, dflt);
      if (!(v > 0) || Double.isInfinite(v)) {
        throw new TfewException(file + ": field '" + field + "' = " + v + " must be a positive number");
      }
      return v;
    }

    double fraction(String field, double dflt) {
      double v = number(field, dflt);
      if (!(v >= 0 && v < 1)) {
        throw new TfewException(file + ": field '" + field + "' = " + v + " must be in [0, 1)");
      }
      return v;
    }

    private double number(String field, double dflt) {
      JsonNode n = root.get(field);
      if (n == null || n.isNull()) {
        return dflt;
      }
      if (!n.isNumber()) {
        throw new TfewException(file + ": field '" + field + "' must be a number, found " + n);
      }
      return n.doubleValue();
    }

    boolean bool(String field, boolean dflt) {
      JsonNode n = root.get(field);
      if (n == null || n.isNull()) {
        return dflt;
      }
      if (!n.isBoolean()) {
        throw new TfewException(file + ": field '" + field + "' must be true or false, found " + n);
      }
      return n.booleanValue();
    }

    String string(String field, String dflt) {
      JsonNode n = root.get(field);
      if (n == null || n.isNull()) {
        return dflt;
      }
      if (!n.isTextual()) {
        throw new TfewException(file + ": field '" + field + "' must be a string, found " + n);
      }
      return n.textValue();
    }
  }
}
