package io.tfew.peft.baselines;

import io.tfew.api.model.ModelDims;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Drops prefix tuning's MLP: computes the final prefixes {@code tanh(E W0^T + b0) W2^T + b2} of every
 * attention group from a reparameterised adapter's values, under the keys a {@code reparameterize: false}
 * model declares ({@code <group>.prefix_embeddings}, {@code [n, num_layers * 2 * heads * d_kv]}).
 *
 * <pre>{@code
 * Map<String, float[]> direct = PrefixExport.finalPrefixes(dims, config, key -> parameters.read(session, key));
 * // assign them to a model built with reparameterize: false, or write them as its adapter file
 * }</pre>
 *
 * <p>The arithmetic runs in Java (double accumulation), not in a TensorFlow session, so exporting needs
 * no graph; it agrees with the graph's float32 to rounding. Each group's tensor has PEFT's
 * {@code prompt_embeddings} row layout, but it is not a PEFT adapter: PEFT's prefix tuning on T5 reaches
 * the decoder self-attention only (the encoder gets no past keys and the cross-attention cache is
 * discarded) and, with {@code num_layers} taken from the encoder, maps decoder layers {@code i} and
 * {@code i + L/2} to the same slice (hf-peft-format.md section 3.7), so a PEFT {@code PREFIX_TUNING}
 * adapter cannot express t-few's prefixes and tfew writes none.
 */
public final class PrefixExport {
  private PrefixExport() {}

  /**
   * @param dims the model's sizes
   * @param config the options the adapter was trained with ({@code reparameterize} must be true)
   * @param values the adapter's parameter values by key ({@code <group>.embedding}, {@code .mlp.0.weight}, ...)
   * @return the final prefixes by {@code <group>.prefix_embeddings}, in {@link PrefixTuningMethod#GROUPS} order
   */
  public static Map<String, float[]> finalPrefixes(ModelDims dims, PrefixTuningConfig config,
      Function<String, float[]> values) {
    if (!config.reparameterize()) {
      throw new IllegalArgumentException("the adapter has no MLP (reparameterize: false): its "
          + "prefix_embeddings are already the final prefixes");
    }
    int n = config.numVirtualTokens();
    int d = dims.dModel();
    int h = config.encoderHiddenSize();
    Map<String, float[]> out = new LinkedHashMap<>();
    for (String g : PrefixTuningMethod.GROUPS) {
      int w = PrefixTuningMethod.layers(dims, g) * 2 * dims.numHeads() * dims.dKv();
      float[] e = require(values, g + ".embedding", n * d);
      float[] w0 = require(values, g + ".mlp.0.weight", h * d);
      float[] b0 = require(values, g + ".mlp.0.bias", h);
      float[] w2 = require(values, g + ".mlp.2.weight", w * h);
      float[] b2 = require(values, g + ".mlp.2.bias", w);
      float[] prefixes = new float[n * w];
      float[] hidden = new float[h];
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < h; j++) {
          double s = b0[j];
          for (int k = 0; k < d; k++) {
            s += (double) e[i * d + k] * w0[j * d + k];
          }
          hidden[j] = (float) Math.tanh(s);
        }
        for (int c = 0; c < w; c++) {
          double s = b2[c];
          for (int j = 0; j < h; j++) {
            s += (double) hidden[j] * w2[c * h + j];
          }
          prefixes[i * w + c] = (float) s;
        }
      }
      out.put(g + ".prefix_embeddings", prefixes);
    }
    return out;
  }

  private static float[] require(Function<String, float[]> values, String key, int size) {
    float[] v = values.apply(key);
    if (v == null || v.length != size) {
      throw new IllegalArgumentException("prefix parameter '" + key + "' " + (v == null ? "is missing"
          : "has " + v.length + " values") + "; expected " + size + " for this model and config");
    }
    return v;
  }
}
