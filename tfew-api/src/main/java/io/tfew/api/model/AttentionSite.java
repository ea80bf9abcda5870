package io.tfew.api.model;

/**
 * An attention layer's key/value states after projection and split into heads, for methods that add
 * or change keys and values (prefix tuning).
 *
 * @param path the HF module path, e.g. {@code decoder.block.1.layer.1.EncDecAttention}
 * @param stack encoder or decoder
 * @param layer block index
 * @param crossAttention true for the decoder's attention over the encoder output
 * @param context what a rewrite may use
 */
public record AttentionSite(String path, Stack stack, int layer, boolean crossAttention,
    SiteContext context) {}
