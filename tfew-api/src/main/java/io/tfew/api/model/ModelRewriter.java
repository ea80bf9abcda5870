package io.tfew.api.model;

import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * Hooks that change the T5 graph at its named extension sites while core builds it. Every hook is a
 * no-op by default: a method implements the ones it uses.
 *
 * <p>Rewrites compose. When several methods are active, core calls each hook of each method in the
 * order the YAML lists them, feeding one method's result to the next, so (IA)^3 and a soft prompt can
 * be active in one model. A hook that returns its input unchanged leaves the site untouched; core
 * records the sites each method touched and fails when a method touched none.
 *
 * <pre>{@code
 * // (IA)^3 on keys: y' = y * l_k
 * public Operand<TFloat32> linearOutput(LinearSite site, Operand<TFloat32> input, Operand<TFloat32> output) {
 *   if (!site.path().endsWith(".k")) return output;
 *   Operand<TFloat32> l = site.context().parameters().trainable(site.path() + ".ia3_l",
 *       Shape.of(site.outFeatures()), ParameterInit.constant(1f));
 *   return site.context().tf().math.mul(output, l);
 * }
 * }</pre>
 *
 * <p>Hooks run on the graph-building thread only, once per site per graph; they must not run sessions.
 */
public interface ModelRewriter {

  /** Replaces the weight {@code [out, in]} used by a linear site (e.g. dequantised NF4 for QLoRA). */
  default Operand<TFloat32> linearWeight(LinearSite site, Operand<TFloat32> weight) {
    return weight;
  }

  /**
   * Changes a linear site's output {@code [rows, length, out]} given its input {@code [rows, length, in]}
   * (LoRA adds {@code B A x}; (IA)^3 rescales keys and values).
   */
  default Operand<TFloat32> linearOutput(LinearSite site, Operand<TFloat32> input, Operand<TFloat32> output) {
    return output;
  }

  /** Changes the FFN inner activation {@code [rows, length, d_ff]}. */
  default Operand<TFloat32> ffnActivation(FfnSite site, Operand<TFloat32> activation) {
    return activation;
  }

  /** Changes an attention layer's keys and values (prefix tuning). */
  default KeyValue keyValue(AttentionSite site, KeyValue keyValue) {
    return keyValue;
  }

  /** Changes the input embeddings of the encoder or decoder (prompt tuning, P-tuning). */
  default EmbeddedInput inputEmbeddings(EmbeddingSite site, EmbeddedInput input) {
    return input;
  }
}
