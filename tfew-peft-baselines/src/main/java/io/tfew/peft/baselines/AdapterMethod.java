package io.tfew.peft.baselines;

import io.tfew.api.TfewException;
import io.tfew.api.model.LinearSite;
import io.tfew.api.model.ParameterInit;
import io.tfew.api.model.Parameters;
import io.tfew.api.model.SiteContext;
import io.tfew.api.peft.PeftMethod;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.linalg.MatMul;
import org.tensorflow.types.TFloat32;

/**
 * Bottleneck adapters (Houlsby et al. 2019) as t-few's {@code adapter_type: normal} runs them: on a
 * sublayer's output {@code h} (after {@code o} or {@code wo}, before dropout and the residual add),
 * {@code h + up(relu(down(h)))}, with {@code down: d_model -> d_model / reduction_factor} and
 * {@code up} back, both with biases.
 *
 * <p>Placement: t-few wraps {@code T5LayerFF} always and the attention layers only when
 * {@code compacter_add_compacter_in_self_attention} / {@code ..._cross_attention} are set; both default
 * to false and its {@code adapter.json} does not set them. So the paper's adapter baseline has one
 * adapter per block, after the FFN, and that is tfew's default; Houlsby's placement after attention is
 * {@code self_attention: true, cross_attention: true}.
 *
 * <p>Init: t-few draws both projections from N(0, 0.02) (a near-identity); here {@code up} starts at
 * zero so the adapted model is exactly the base model at step 0 (Houlsby's intent), and {@code down}
 * from N(0, {@code init_std}) so gradients reach {@code up} from the first step.
 *
 * <p>Keys are t-few's: {@code <stack>.block.<i>.layer.<j>.adapter.(down|up)_proj.(weight|bias)}, weights
 * {@code [out, in]} as in PyTorch.
 */
public final class AdapterMethod implements PeftMethod {
  private final AdapterConfig config;
  private boolean normsDeclared;

  public AdapterMethod(AdapterConfig config) {
    this.config = config;
  }

  public AdapterConfig config() {
    return config;
  }

  @Override
  public Operand<TFloat32> linearOutput(LinearSite site, Operand<TFloat32> input, Operand<TFloat32> output) {
    if (site.stack() == null || !config.adapts(site.path())) {
      return output;
    }
    SiteContext ctx = site.context();
    Parameters params = ctx.parameters();
    if (config.trainLayerNorms() && !normsDeclared) {
      BaseWeights.trainLayerNorms(params);
      normsDeclared = true;
    }
    int d = site.outFeatures();
    int hidden = d / config.reductionFactor();
    if (hidden < 1) {
      throw new TfewException("adapter: reduction_factor " + config.reductionFactor() + " leaves no bottleneck "
          + "for d_model " + d + "; use a factor <= " + d);
    }
    String layer = sublayerPath(site.path());
    Operand<TFloat32> downW = params.trainable(layer + ".adapter.down_proj.weight", Shape.of(hidden, d),
        ParameterInit.normal(config.initStd()));
    Operand<TFloat32> downB = params.trainable(layer + ".adapter.down_proj.bias", Shape.of(hidden),
        ParameterInit.zeros());
    Operand<TFloat32> upW = params.trainable(layer + ".adapter.up_proj.weight", Shape.of(d, hidden),
        ParameterInit.zeros());
    Operand<TFloat32> upB = params.trainable(layer + ".adapter.up_proj.bias", Shape.of(d), ParameterInit.zeros());

    Ops tf = ctx.tf();
    // [rows, len, d] -> [rows * len, d] for plain matmuls, then back to the output's own shape.
    Operand<TFloat32> flat = tf.reshape(output, tf.constant(new int[] {-1, d}));
    Operand<TFloat32> z = tf.nn.relu(tf.math.add(
        tf.linalg.matMul(flat, downW, MatMul.transposeB(true)), downB));
    Operand<TFloat32> up = tf.math.add(tf.linalg.matMul(z, upW, MatMul.transposeB(true)), upB);
    return tf.math.add(output, tf.reshape(up, tf.shape(output)));
  }

  /** {@code encoder.block.0.layer.1.DenseReluDense.wo} -> {@code encoder.block.0.layer.1}. */
  static String sublayerPath(String linearPath) {
    int last = linearPath.lastIndexOf('.');
    int module = linearPath.lastIndexOf('.', last - 1);
    return linearPath.substring(0, module);
  }
}
