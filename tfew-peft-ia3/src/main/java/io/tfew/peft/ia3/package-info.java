/**
 * (IA)^3 for tfew: T-Few's learned rescaling vectors on attention keys and values and on the FFN inner
 * activation, saved and loaded in Hugging Face PEFT's IA3 format, and initialisable from the released
 * t-few checkpoint.
 *
 * <ul>
 *   <li>{@link io.tfew.peft.ia3.Ia3Provider}: the {@code ia3} plugin (ServiceLoader entry, PEFT config translation)
 *   <li>{@link io.tfew.peft.ia3.Ia3Config}: its validated options
 *   <li>{@link io.tfew.peft.ia3.Ia3Method}: the graph rewrites and parameter declarations
 *   <li>{@link io.tfew.peft.ia3.PretrainedIa3}: vectors from a t-few {@code .pt} or PEFT {@code .safetensors}
 *   <li>{@link io.tfew.peft.ia3.RestrictedUnpickler}: a whitelist-only reader of {@code torch.save} archives
 * </ul>
 *
 * <pre>{@code
 * peft:
 *   method: ia3
 *   init: fixtures/ia3-pretrained/t03b_ia3_finish.pt   # relative to the YAML file, else to the working directory
 * }</pre>
 *
 * <p>This package depends on tfew-api only.
 */
package io.tfew.peft.ia3;
