package io.tfew.core.optim;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * Plain SGD as {@code torch.optim.SGD} without momentum or weight decay: {@code p -= lr * g}. No slots.
 * It is {@code train.optimizer: sgd}, and the unfused counterpart of LOMO's {@link FusedSgd}.
 */
public final class Sgd implements Optimizer {

  @Override
  public Op update(Ops tf, List<Variable<TFloat32>> variables, List<Operand<TFloat32>> gradients,
      Operand<TFloat32> learningRate, Operand<TFloat32> step) {
    Graphs.checkPairs(variables, gradients);
    Ops s = tf.withSubScope("sgd");
    List<Op> updates = new ArrayList<>(variables.size());
    for (int i = 0; i < variables.size(); i++) {
      updates.add(s.train.applyGradientDescent(variables.get(i), learningRate, gradients.get(i)));
    }
    return s.withControlDependencies(updates).noOp();
  }

  @Override
  public Map<String, Variable<TFloat32>> slots() {
    return Map.of();
  }

  @Override
  public List<Op> slotInitializers() {
    return List.of();
  }
}
