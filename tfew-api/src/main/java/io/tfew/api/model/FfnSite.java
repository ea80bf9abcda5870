package io.tfew.api.model;

/**
 * The feed-forward inner activation: the input of {@code wo}, that is {@code act(wi x)} in ReLU FFNs
 * and {@code gelu(wi_0 x) * wi_1 x} in gated ones. (IA)^3's {@code l_ff} rescales it.
 *
 * @param path the HF module path of the FFN, e.g. {@code encoder.block.0.layer.1.DenseReluDense}
 * @param stack encoder or decoder
 * @param layer block index
 * @param width the activation's width ({@code d_ff})
 * @param context what a rewrite may use
 */
public record FfnSite(String path, Stack stack, int layer, int width, SiteContext context) {}
