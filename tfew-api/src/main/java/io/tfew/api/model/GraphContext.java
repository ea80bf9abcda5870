package io.tfew.api.model;

import java.util.List;
import org.tensorflow.op.Ops;

/**
 * What {@link ModelRewriter#beginGraph} may use: the whole model's sites, known before any site hook
 * runs, and the graph-wide parameter store. A method keeps state shared by all its sites here, such as
 * VeRA's projections {@code A [r, in_max]} and {@code B [out_max, r]}, declared once and sliced per site.
 *
 * <pre>{@code
 * public void beginGraph(GraphContext ctx) {
 *   List<SiteDescriptor> targets = ctx.sites().stream()
 *       .filter(s -> s.kind() == SiteDescriptor.Kind.LINEAR && s.path().matches(pattern)).toList();
 *   int inMax = targets.stream().mapToInt(SiteDescriptor::inFeatures).max().orElse(0);
 *   int outMax = targets.stream().mapToInt(SiteDescriptor::outFeatures).max().orElse(0);
 *   if (targets.isEmpty()) return;                  // core reports the method as matching no site
 *   a = ctx.parameters().frozen("vera_A", Shape.of(r, inMax), ParameterInit.uniform(-bound, bound));
 *   b = ctx.parameters().frozen("vera_B", Shape.of(outMax, r), ParameterInit.uniform(-bound, bound));
 * }
 * }</pre>
 *
 * <p>Valid only during the {@code beginGraph} call and the site hooks of the same graph build; operands
 * created here belong to that graph.
 */
public interface GraphContext {
  /** Ops scoped under the method's name, for tensors the method builds once per graph. */
  Ops tf();

  /** The same store every {@link SiteContext#parameters()} of this graph returns. */
  Parameters parameters();

  ModelDims dims();

  /**
   * Every site of the model, in the order a forward pass visits them (encoder embeddings, encoder blocks,
   * decoder embeddings, decoder blocks, {@code lm_head}); a linear inside an attention comes before that
   * attention's keys and values. Immutable.
   */
  List<SiteDescriptor> sites();

  /** Number of task slots, as {@link SiteContext#taskCount()} gives it. */
  int taskCount();

  /** True when the graph is built for training. */
  boolean training();
}
