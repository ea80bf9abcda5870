/**
 * The T-Few paper's other baselines as tfew plugins, each placed and counted as t-few's code does.
 *
 * <table>
 *   <caption>Methods and their trainable values on T0-3B (paper, Table 4)</caption>
 *   <tr><th>method</th><th>classes</th><th>T0-3B</th><th>paper</th></tr>
 *   <tr><td>{@code adapter}</td><td>{@link io.tfew.peft.baselines.AdapterProvider}, {@link io.tfew.peft.baselines.AdapterMethod}</td>
 *       <td>12,934,144</td><td>12.9M</td></tr>
 *   <tr><td>{@code bitfit}</td><td>{@link io.tfew.peft.baselines.BitFitProvider}, {@link io.tfew.peft.baselines.BitFitMethod}</td>
 *       <td>1,331,200</td><td>1.3M</td></tr>
 *   <tr><td>{@code layernorm}</td><td>{@link io.tfew.peft.baselines.LayerNormProvider}, {@link io.tfew.peft.baselines.LayerNormMethod}</td>
 *       <td>249,856</td><td>250K</td></tr>
 *   <tr><td>{@code full}</td><td>{@link io.tfew.peft.baselines.FullProvider}, {@link io.tfew.peft.baselines.FullMethod}</td>
 *       <td>2,849,757,184</td><td>(all)</td></tr>
 *   <tr><td>{@code prefix_tuning}</td><td>{@link io.tfew.peft.baselines.PrefixTuningProvider}, {@link io.tfew.peft.baselines.PrefixTuningMethod},
 *       {@link io.tfew.peft.baselines.PrefixExport}</td><td>589,824 final prefixes (154,449,408 trained via the MLP)</td>
 *       <td>576K (= 576 x 1024)</td></tr>
 * </table>
 *
 * <p>None of them has a Hugging Face PEFT counterpart tfew can write, so adapter files keep tfew's keys
 * (t-few's and Hugging Face's module names) and {@code adapter_config.json} is tfew's own record.
 *
 * <p>This package depends on tfew-api only.
 */
package io.tfew.peft.baselines;
