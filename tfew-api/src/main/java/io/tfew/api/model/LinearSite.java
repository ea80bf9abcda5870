package io.tfew.api.model;

/**
 * A linear projection {@code y = x W^T} of the model, named by its Hugging Face module path, such as
 * {@code encoder.block.3.layer.0.SelfAttention.k} or {@code decoder.block.0.layer.2.DenseReluDense.wo}
 * or {@code lm_head}. Its weight is {@code [outFeatures, inFeatures]}, as in the checkpoint.
 *
 * <pre>{@code
 * if (site.path().matches(".*SelfAttention\\.(q|v)")) { ... }
 * }</pre>
 *
 * @param path the HF module path (the weight's key without {@code .weight})
 * @param stack encoder or decoder ({@code null} for {@code lm_head})
 * @param layer block index, or -1 outside the blocks
 * @param inFeatures width of the input
 * @param outFeatures width of the output
 * @param context what a rewrite may use
 */
public record LinearSite(String path, Stack stack, int layer, int inFeatures, int outFeatures,
    SiteContext context) {}
