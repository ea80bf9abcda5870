package io.tfew.api.model;

/**
 * The sizes of the T5-family model a plugin is applied to, read from its {@code config.json}.
 *
 * <p>Plugins size their parameters from it; for example (IA)^3 on a key projection needs
 * {@code numHeads() * dKv()} values:
 *
 * <pre>{@code
 * int keyWidth = dims.numHeads() * dims.dKv();
 * }</pre>
 *
 * @param dModel width of the residual stream ({@code d_model})
 * @param numHeads attention heads ({@code num_heads})
 * @param dKv width of one head's keys and values ({@code d_kv}); {@code numHeads * dKv} may differ from {@code dModel}
 * @param dFf width of the feed-forward inner activation ({@code d_ff})
 * @param numEncoderLayers encoder blocks ({@code num_layers})
 * @param numDecoderLayers decoder blocks ({@code num_decoder_layers})
 * @param vocabSize rows of the embedding matrix ({@code vocab_size})
 * @param gatedFfn whether the FFN is gated ({@code wi_0}, {@code wi_1}) rather than a single {@code wi}
 */
public record ModelDims(int dModel, int numHeads, int dKv, int dFf, int numEncoderLayers,
    int numDecoderLayers, int vocabSize, boolean gatedFfn) {

  /** Number of blocks of the given stack. */
  public int layers(Stack stack) {
    return stack == Stack.ENCODER ? numEncoderLayers : numDecoderLayers;
  }
}
