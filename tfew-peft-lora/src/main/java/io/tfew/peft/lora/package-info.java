/**
 * LoRA for tfew: trainable low-rank updates of T5's linear projections, saved and loaded in Hugging Face
 * PEFT's LORA format.
 *
 * <ul>
 *   <li>{@link io.tfew.peft.lora.LoraProvider}: the {@code lora} plugin (ServiceLoader entry, PEFT config translation)
 *   <li>{@link io.tfew.peft.lora.LoraConfig}: its validated options
 *   <li>{@link io.tfew.peft.lora.LoraMethod}: the graph rewrites and parameter declarations (also merged)
 *   <li>{@link io.tfew.peft.lora.LoraMerge}: merging an update into a weight array and undoing it
 * </ul>
 *
 * <pre>{@code
 * peft:
 *   method: lora
 *   r: 4
 *   alpha: 8
 * }</pre>
 *
 * <p>This package depends on tfew-api only.
 */
package io.tfew.peft.lora;
