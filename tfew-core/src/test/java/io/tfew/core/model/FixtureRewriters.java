package io.tfew.core.model;

import io.tfew.api.model.EmbeddedInput;
import io.tfew.api.model.EmbeddingSite;
import io.tfew.api.model.FfnSite;
import io.tfew.api.model.LinearSite;
import io.tfew.api.model.ModelRewriter;
import io.tfew.api.model.ParameterInit;
import io.tfew.api.model.Stack;
import io.tfew.core.testing.ExpectedTensors;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.linalg.MatMul;
import org.tensorflow.types.TFloat32;

/**
 * The parity fixture's adapters written as plain {@link ModelRewriter}s, to check that the extension
 * sites sit where the reference applies (IA)^3, LoRA and a soft prompt. The real methods live in their
 * plugin modules; these are deliberately minimal.
 */
final class FixtureRewriters {
  private FixtureRewriters() {}

  /** (IA)^3: {@code ia3.<module>} scales k/v outputs and the input of {@code wo}. */
  static ModelRewriter ia3(ExpectedTensors expected) {
    return new ModelRewriter() {
      @Override
      public Operand<TFloat32> linearOutput(LinearSite site, Operand<TFloat32> input, Operand<TFloat32> output) {
        String key = "ia3." + site.path();
        // The wo vectors scale wo's input, which is the FFN-activation site, not wo's output.
        if (site.path().endsWith(".wo") || !expected.names().contains(key)) {
          return output;
        }
        return site.context().tf().math.mul(output, site.context().parameters()
            .trainable(site.path() + ".ia3_l", Shape.of(site.outFeatures()), ParameterInit.of(expected.floats(key))));
      }

      @Override
      public Operand<TFloat32> ffnActivation(FfnSite site, Operand<TFloat32> activation) {
        String key = "ia3." + site.path() + ".wo";
        return site.context().tf().math.mul(activation, site.context().parameters()
            .trainable(site.path() + ".wo.ia3_l", Shape.of(site.width()), ParameterInit.of(expected.floats(key))));
      }
    };
  }

  /** LoRA with the fixture's A and B: {@code y + (x A^T B^T) * 2}. */
  static ModelRewriter lora(ExpectedTensors expected) {
    return new ModelRewriter() {
      @Override
      public Operand<TFloat32> linearOutput(LinearSite site, Operand<TFloat32> input, Operand<TFloat32> output) {
        String a = "lora_A." + site.path();
        if (!expected.names().contains(a)) {
          return output;
        }
        String b = "lora_B." + site.path();
        Ops tf = site.context().tf();
        Operand<TFloat32> av = site.context().parameters().trainable(site.path() + ".lora_A",
            Shape.of(expected.shape(a)), ParameterInit.of(expected.floats(a)));
        Operand<TFloat32> bv = site.context().parameters().trainable(site.path() + ".lora_B",
            Shape.of(expected.shape(b)), ParameterInit.of(expected.floats(b)));
        Operand<TFloat32> flat = tf.reshape(input, tf.constant(new int[] {-1, site.inFeatures()}));
        Operand<TFloat32> delta = tf.linalg.matMul(tf.linalg.matMul(flat, av, MatMul.transposeB(true)), bv,
            MatMul.transposeB(true));
        return tf.math.add(output, tf.math.mul(tf.reshape(delta, tf.shape(output)), tf.constant(2f)));
      }
    };
  }

  /** A soft prompt prepended to the encoder input embeddings, mask extended with ones. */
  static ModelRewriter softPrompt(ExpectedTensors expected) {
    return new ModelRewriter() {
      @Override
      public EmbeddedInput inputEmbeddings(EmbeddingSite site, EmbeddedInput in) {
        if (site.stack() != Stack.ENCODER) {
          return in;
        }
        Ops tf = site.context().tf();
        long[] shape = expected.shape("prompt_embeddings");
        Operand<TFloat32> prompt = site.context().parameters().trainable("prompt_embeddings",
            Shape.of(shape), ParameterInit.of(expected.floats("prompt_embeddings")));
        Operand<org.tensorflow.types.TInt32> rows = tf.gather(tf.shape(in.embeddings()), tf.constant(0), tf.constant(0));
        Operand<TFloat32> tiled = tf.tile(tf.expandDims(prompt, tf.constant(0)),
            tf.stack(List.of(rows, tf.constant(1), tf.constant(1))));
        Operand<TFloat32> ones = tf.fill(tf.stack(List.of(rows, tf.constant((int) shape[0]))), tf.constant(1f));
        return new EmbeddedInput(tf.concat(List.of(tiled, in.embeddings()), tf.constant(1)),
            tf.concat(List.of(ones, in.mask()), tf.constant(1)));
      }
    };
  }
}
