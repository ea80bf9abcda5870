package io.tfew.api.model;

/**
 * The input embeddings of the encoder or the decoder, after the token lookup and before the first
 * block, for soft-prompt methods.
 *
 * @param path {@code encoder.embed_tokens} or {@code decoder.embed_tokens}
 * @param stack encoder or decoder
 * @param context what a rewrite may use
 */
public record EmbeddingSite(String path, Stack stack, SiteContext context) {}
