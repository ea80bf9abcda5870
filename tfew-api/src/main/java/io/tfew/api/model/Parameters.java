package io.tfew.api.model;

import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;

/**
 * Where plugins declare the tensors they train, and read the frozen base weights.
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
   * tensor (so two sites may share a parameter); with another shape it is an error.
   */
  Operand<TFloat32> trainable(String key, Shape shape, ParameterInit init);

  /** A frozen weight of the base checkpoint by its HF name, e.g. {@code shared.weight}. */
  Operand<TFloat32> baseWeight(String key);

  /**
   * Makes a base weight trainable (layer-norm tuning, BitFit's norms, full fine-tuning). It keeps its
   * checkpoint value as the starting point, is updated by the optimizer and is saved in the method's
   * adapter file under its HF name. The returned operand is the same variable every site reads, so
   * the change applies wherever the weight is used.
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
}
