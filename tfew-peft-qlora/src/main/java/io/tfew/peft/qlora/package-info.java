/**
 * QLoRA for tfew: the targeted frozen linears of T5 held as 4-bit NormalFloat and dequantised inside
 * the graph, with LoRA updates in float32 saved in Hugging Face PEFT's LORA format.
 *
 * <ul>
 *   <li>{@link io.tfew.peft.qlora.QloraProvider}: the {@code qlora} plugin (ServiceLoader entry)
 *   <li>{@link io.tfew.peft.qlora.QloraConfig}: its validated options
 *   <li>{@link io.tfew.peft.qlora.QloraMethod}: the frozen NF4 state, the dequantised weight and the LoRA branch
 *   <li>{@link io.tfew.peft.qlora.Nf4}: NF4 block quantisation in Java
 *   <li>{@link io.tfew.peft.qlora.BlockScales}: double quantisation of the block scales
 *   <li>{@link io.tfew.peft.qlora.Nf4Graph}: dequantisation as graph ops
 * </ul>
 *
 * <p>This package depends on tfew-api only.
 */
package io.tfew.peft.qlora;
