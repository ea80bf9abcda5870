/**
 * Soft-prompt methods for tfew: trained rows at the input embeddings.
 *
 * <ul>
 *   <li>{@link io.tfew.peft.prompt.PromptTuningProvider} / {@link io.tfew.peft.prompt.PromptTuningMethod}:
 *       {@code prompt_tuning} (Lester et al.), encoder and optionally decoder prompts, Hugging Face PEFT's
 *       PROMPT_TUNING file ({@code prompt_embeddings [N x submodules, d_model]})
 *   <li>{@link io.tfew.peft.prompt.PromptInit}: random, vocabulary-sample (T-Few), text and class-label inits,
 *       the embedding-based ones through {@link io.tfew.api.model.ParameterInit#fromBase}
 *   <li>{@link io.tfew.peft.prompt.PTuningProvider} / {@link io.tfew.peft.prompt.PTuningMethod}: {@code p_tuning}
 *       (Liu et al.), MLP or bidirectional-LSTM prompt encoder, prefix or split template
 *   <li>{@link io.tfew.peft.prompt.PromptEnsemble}: several trained prompts scored in one batch, combined
 * </ul>
 *
 * <pre>{@code
 * peft: {method: prompt_tuning, num_virtual_tokens: 10, decoder: true, init: vocab}
 * }</pre>
 *
 * <p>This package depends on tfew-api only.
 */
package io.tfew.peft.prompt;
