package io.tfew.api.model;

import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * A linear projection {@code y = x W^T} of the model, named by its Hugging Face module path, such as
 * {@code encoder.block.3.layer.0.SelfAttention.k} or {@code decoder.block.0.layer.2.DenseReluDense.wo}
 * or {@code lm_head}. Its weight is {@code [outFeatures, inFeatures]}, as in the checkpoint.
 *
 * <pre>{@code
 * if (site.path().matches(".*SelfAttention\\.(q|v)")) { ... }
 * // a weight computed at every run, computed only once its input is there:
 * Ops tf = site.input() == null ? site.context().tf()
 *     : site.context().tf().withControlDependencies(List.of(site.input()));
 * }</pre>
 *
 * @param path the HF module path (the weight's key without {@code .weight})
 * @param stack encoder or decoder ({@code null} for {@code lm_head})
 * @param layer block index, or -1 outside the blocks
 * @param inFeatures width of the input
 * @param outFeatures width of the output
 * @param context what a rewrite may use
 * @param input the site's input {@code x} in this program, so that a weight which a method computes at every run
 *     (such as QLoRA's dequantised one) can wait for it: TensorFlow runs an op as soon as its inputs exist, and
 *     a weight computed from variables alone would otherwise be computed, and held, for every layer at the
 *     start of the run. {@code null} where the site was built without one (the six-argument constructor)
 */
public record LinearSite(String path, Stack stack, int layer, int inFeatures, int outFeatures,
    SiteContext context, Operand<TFloat32> input) {
  /** A site without its input, as before {@link #input()} existed. */
  public LinearSite(String path, Stack stack, int layer, int inFeatures, int outFeatures, SiteContext context) {
    this(path, stack, layer, inFeatures, outFeatures, context, null);
  }
}
