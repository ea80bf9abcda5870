package io.tfew.api.model;

/**
 * One extension site of the model as {@link GraphContext#sites()} lists it before any hook runs: where
 * it is and how wide it is, without the graph values a hook receives. A method that sizes shared tensors
 * by its targets (VeRA's projections, as wide as the widest targeted linear) reads these.
 *
 * <pre>{@code
 * long inMax = ctx.sites().stream()
 *     .filter(s -> s.kind() == SiteDescriptor.Kind.LINEAR && s.path().matches(targets))
 *     .mapToLong(SiteDescriptor::inFeatures).max().orElse(0);
 * }</pre>
 *
 * @param path the HF module path, as the hook's site gives it ({@link LinearSite#path()}, ...)
 * @param kind which hook visits the site
 * @param stack encoder or decoder ({@code null} for {@code lm_head})
 * @param layer block index, or -1 outside the blocks
 * @param inFeatures width of the site's input: a linear's {@code in}, {@code d_ff} for an FFN activation,
 *     the inner attention width ({@code heads * d_kv}) for keys and values, {@code d_model} for embeddings
 * @param outFeatures width of the site's output, under the same conventions
 */
public record SiteDescriptor(String path, Kind kind, Stack stack, int layer, int inFeatures, int outFeatures) {

  /** The hook that visits a site. */
  public enum Kind {
    /** {@link ModelRewriter#linearWeight} and then {@link ModelRewriter#linearOutput}. */
    LINEAR,
    /** {@link ModelRewriter#ffnActivation}. */
    FFN_ACTIVATION,
    /** {@link ModelRewriter#keyValue}. */
    KEY_VALUE,
    /** {@link ModelRewriter#inputEmbeddings}. */
    INPUT_EMBEDDINGS
  }
}
