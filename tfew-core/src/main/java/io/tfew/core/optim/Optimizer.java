package io.tfew.core.optim;

import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * Builds the graph ops of one optimizer step over ref ({@code VariableV2}) float32 variables.
 *
 * <p>An instance owns the state ("slots") it creates in {@link #update}; call {@code update} once per
 * instance and graph. The trainer runs {@link #slotInitializers()} once after the session starts on a
 * fresh run, or restores {@link #slots()} from a checkpoint instead when it resumes.
 */
public interface Optimizer {

  /**
   * Builds one op that applies one update to every variable from its gradient (gradients already
   * clipped and accumulated).
   *
   * @param variables the variables to update; each needs a fully known static shape
   * @param gradients one gradient per variable, in the same order and of the same shape
   * @param learningRate scalar float32: the learning rate of this update, schedule already applied
   * @param step scalar float32: the 1-based index of this update
   * @return an op that runs every assignment of the step; run it as a target
   */
  Op update(Ops tf, List<Variable<TFloat32>> variables, List<Operand<TFloat32>> gradients,
      Operand<TFloat32> learningRate, Operand<TFloat32> step);

  /**
   * The state created by {@link #update}, keyed by a stable name
   * ({@code "<variable op name>/exp_avg_sq_row"} etc.), in creation order, for checkpoint and resume.
   * Empty before {@code update} is called.
   */
  Map<String, Variable<TFloat32>> slots();

  /** Ops that set every slot to its initial value (zeros), in the order of {@link #slots()}. */
  List<Op> slotInitializers();

  /**
   * Runs every {@link #slotInitializers() slot initialiser} in one {@code Session.run}: each distinct run
   * costs TensorFlow a pruning pass over the whole graph, and an optimizer has two or three slots per
   * trained tensor.
   */
  default void initializeSlots(org.tensorflow.Session session) {
    runTogether(session, slotInitializers());
  }

  /** Runs {@code targets} as the targets of one {@code Session.run}; nothing when there are none. */
  static void runTogether(org.tensorflow.Session session, List<? extends Op> targets) {
    if (targets.isEmpty()) {
      return;
    }
    org.tensorflow.Session.Runner runner = session.runner();
    targets.forEach(runner::addTarget);
    runner.run().close();
  }
}
