package io.tfew.api.model;

import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * Hooks that change the T5 graph at its named extension sites while core builds it. Every hook is a
 * no-op by default: a method implements the ones it uses.
 *
 * <p><b>When hooks run.</b> This is the one statement of it; {@link io.tfew.api.peft.PeftMethod} and the
 * built-in methods refer to it.
 * <ol>
 *   <li>Per graph: core creates a fresh method instance for each graph it builds (a training run, a
 *       scoring or generation call, an export, a parameter count) and calls {@link #beginGraph} once on
 *       it, before any site hook of any method, with the list of every site the graph will visit.
 *   <li>Per program: each program core builds on that graph (the training step, the evaluation copy
 *       without dropout, rank scoring, greedy decoding) runs the model's forward pass once, visiting
 *       the sites in the order {@link GraphContext#sites()} lists them. A site hook may therefore run
 *       several times for one site in one graph. Declarations are idempotent by key (the same key
 *       returns the same tensor), so a hook simply declares what it needs each time.
 *   <li>Per site: core calls that site's hook of every active method in the order the YAML's
 *       {@code peft} list gives them (never class-path order), feeding one method's result to the
 *       next, so (IA)^3 and a soft prompt can be active in one model. {@link #beginGraph} runs in that
 *       order too.
 * </ol>
 * A hook that returns its input unchanged leaves the site untouched; core records the sites each method
 * touched and fails naming the method and its target options when a method touched none and declared
 * nothing to train. Two methods that each return a new weight from {@link #linearWeight} at one site
 * cannot be composed (the second would discard the first's weight or need to know it); core refuses
 * that naming both. An exception a hook throws stops the build with the method's name, the site's path
 * and the exception's class and message.
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
 * <p>Hooks run on the graph-building thread only; they must not run sessions.
 */
public interface ModelRewriter {

  /**
   * Called once per graph, before any site hook, with every site the graph will visit and the graph's
   * parameter store: the place to declare tensors shared by all of a method's sites and sized by its
   * targets (VeRA's {@code vera_A [r, in_max]} and {@code vera_B [out_max, r]}, as PEFT sizes them by
   * the largest target). Parameters declared here belong to this method, as in any hook. Keep what
   * it declares in fields; the site hooks of the same instance read them.
   *
   * <pre>{@code
   * public void beginGraph(GraphContext ctx) {
   *   int inMax = ctx.sites().stream().filter(this::targeted).mapToInt(SiteDescriptor::inFeatures).max().orElse(0);
   *   if (inMax > 0) projection = ctx.parameters().frozen("vera_A", Shape.of(r, inMax), init);
   * }
   * }</pre>
   */
  default void beginGraph(GraphContext context) {
  }

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
