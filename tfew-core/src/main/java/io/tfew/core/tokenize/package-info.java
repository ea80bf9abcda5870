/**
 * T5 tokenization on top of DJL's Hugging Face tokenizers binding.
 *
 * <p>Why the tokenizer forces DJL offline: DJL 0.36 bundles the CPU build of its Rust library in the
 * jar and extracts it to {@code $DJL_CACHE_DIR} / {@code $ENGINE_CACHE_DIR} (default
 * {@code ~/.djl.ai/tokenizers}), but on a machine where it detects CUDA it instead downloads a CUDA
 * build from the internet, and creating a tokenizer also "calls home" (EC2 metadata and an S3
 * telemetry URL). Both are skipped when {@code ai.djl.offline}/{@code DJL_OFFLINE} is true, and the
 * GPU build buys nothing for tokenization, so {@code T5Tokenizer} sets {@code ai.djl.offline=true}
 * and {@code OPT_OUT_TRACKING=true} before DJL's first use unless the user configured them; this
 * keeps training runs on air-gapped GPU hosts from failing at the first tokenizer.
 */
package io.tfew.core.tokenize;
