package io.tfew.api.model;

import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TType;

/**
 * Where plugins declare the tensors they train and the frozen tensors they own, and read the frozen base
 * weights.
 *
 * <p>Core owns the variables: it names them by their key (which is also the key in the saved adapter
 * file, unless the method maps it), initialises them from the run's seed, counts them, and decides
 * what the optimizer updates. A plugin never creates a variable itself.
 *
 * <pre>{@code
 * Operand<TFloat32> a = ctx.parameters().trainable(site.path() + ".lora_A", Shape.of(r, site.inFeatures()),
 *     ParameterInit.uniform(-bound, bound));
 * Operand<TFloat32> embeddings = ctx.parameters().baseWeight("shared.weight");
 * }</pre>
 */
public interface Parameters {

  /**
   * Declares a trainable parameter. Declaring the same key twice with the same shape returns the same
   * tensor (so two sites may share a parameter); with another shape it is an error, and so is a key
   * another method declared (each method's adapter holds its own keys).
   */
  Operand<TFloat32> trainable(String key, Shape shape, ParameterInit init);

  /**
   * Declares a frozen tensor the method owns: not derived from a base weight, never updated by an
   * optimizer, but part of the adapter, like VeRA's shared random projections ({@code vera_A},
   * {@code vera_B}) or a fixed random basis.
   *
   * <ul>
   *   <li>Its values are drawn by {@code init} from the run's seed and the key, through the same per-key
   *       stream {@link #trainable} uses, so they repeat for a seed and adding or removing another method
   *       does not change them; another seed draws other values. An init built with
   *       {@link ParameterInit#fromBase} runs after the checkpoint loads.
   *   <li>Declaring the same key again with the same shape returns the same tensor: a method declares it
   *       once (in {@link ModelRewriter#beginGraph}, or at the first site) and every site reads it. Another
   *       shape is an error, and so is a key that is already a trainable parameter or that another method
   *       declared.
   *   <li>It is saved in the method's adapter file under {@code adapterKey(key)}, beside the trainable
   *       parameters (as Hugging Face PEFT saves VeRA's projections with its default
   *       {@code save_projection=True}), and loading the adapter assigns the saved values over the drawn
   *       ones. A reloaded adapter therefore computes what was trained, whatever seed the loading run has.
   *   <li>It is counted as frozen, apart from the trainable count ({@code tfew plugins}, {@code tfew train}).
   * </ul>
   *
   * <pre>{@code
   * // VeRA: one pair for every targeted layer, sized by the widest target (see GraphContext)
   * double bound = Math.sqrt(6.0 / inMax);   // Kaiming uniform, as PEFT draws vera_A
   * Operand<TFloat32> a = params.frozen("vera_A", Shape.of(r, inMax), ParameterInit.uniform(-bound, bound));
   * }</pre>
   *
   * @param key the tensor's name, unique among the declared parameters and frozen tensors
   * @param shape its shape; every dimension at least 1
   * @param init how its values are drawn
   */
  Operand<TFloat32> frozen(String key, Shape shape, ParameterInit init);

  /** A frozen weight of the base checkpoint by its HF name, e.g. {@code shared.weight}. */
  Operand<TFloat32> baseWeight(String key);

  /**
   * Makes a base weight trainable (layer-norm tuning, BitFit's norms, full fine-tuning). It keeps its
   * checkpoint value as the starting point, is updated by the optimizer and is saved in the method's
   * adapter file under its HF name. The returned operand is the same variable every site reads, so
   * the change applies wherever the weight is used. Two methods training or replacing
   * ({@link #replaceBaseWeight}) the same weight cannot be combined; core refuses that naming both.
   *
   * <pre>{@code
   * for (String key : params.baseWeightKeys()) {
   *   if (key.endsWith("layer_norm.weight")) params.trainableBase(key);
   * }
   * }</pre>
   */
  Operand<TFloat32> trainableBase(String key);

  /** The HF names of every base weight, in checkpoint order. */
  java.util.List<String> baseWeightKeys();

  /**
   * Declares a frozen tensor of any type computed from a base weight's checkpoint values: a quantised
   * copy (QLoRA's 4-bit codes and their block scales), a sparsity mask, a low-precision cache. Core runs
   * {@code derive} while it loads {@code baseKey} (weights load one at a time, so only that weight's
   * values are held in Java meanwhile) and stores the result in a variable of {@code type} that no
   * optimizer updates, no parameter count includes and no adapter file holds. Declaring the same key
   * again returns the same tensor; another shape or type is an error.
   *
   * <pre>{@code
   * // in linearWeight: keep an 8-bit copy of the weight and read it instead of the float32 one
   * String base = site.path() + ".weight";
   * Operand<TUint8> q = params.frozenFromBase(site.path() + ".codes", base,
   *     Shape.of(site.outFeatures(), site.inFeatures()), TUint8.class, codes);  // see BaseDerivation
   * params.replaceBaseWeight(base);                 // the float32 copy is never loaded
   * Operand<TFloat32> centred = tf.math.sub(tf.dtypes.cast(q, TFloat32.class), tf.constant(128f));
   * return tf.math.mul(centred, tf.constant(1f / 127));
   * }</pre>
   *
   * @param key the tensor's name, unique among declared parameters and frozen tensors
   * @param baseKey the base weight it is computed from, by HF name
   * @param shape the tensor's shape; the derivation must produce exactly that many values
   * @param type the tensor's element type, e.g. {@code TUint8.class}
   */
  <T extends TType> Operand<T> frozenFromBase(String key, String baseKey, Shape shape, Class<T> type,
      BaseDerivation derive);

  /**
   * Declares that the graph reads base weight {@code baseKey} only through tensors derived from it
   * ({@link #frozenFromBase}): core then never loads its float32 values into the graph, so only the
   * derived tensors stay resident. The method must not use the operand the {@code linearWeight} hook
   * received for that weight (return a replacement built from the derived tensors instead): core checks,
   * before the session opens, that no op reads the replaced weight, and fails naming the reader.
   * Replacing a weight another method trains ({@link #trainableBase}) is an error. Declaring it twice is
   * harmless.
   */
  void replaceBaseWeight(String baseKey);
}
