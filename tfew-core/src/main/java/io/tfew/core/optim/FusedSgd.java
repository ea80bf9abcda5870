package io.tfew.core.optim;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * LOMO's update (Lv et al. 2023, Algorithm 1): SGD applied to each variable as soon as its gradient is
 * computed, instead of after the whole backward pass.
 *
 * <p>Each variable gets one {@code ApplyGradientDescent} that consumes its gradient directly, so the
 * executor frees that gradient once the update (and anything else reading it, such as the norm) has run,
 * and the gradients of all variables never need to exist at once. The update overwrites the variable in
 * place, so it must not run before every op of the training step that reads the variable's old value:
 * the forward op that used it and, in the backward pass, the gradient with respect to that op's input
 * (e.g. {@code dx = dy W} of a linear). Those readers become its control inputs. A reader is a direct
 * consumer of the variable or a consumer of an op that may hand out the variable's own buffer (Identity,
 * Reshape, a contiguous Slice, a same-type Cast, ...): any op not known to write a fresh output is
 * followed, which can delay an update but never lets it overwrite a value still to be read.
 *
 * <pre>{@code
 * Op apply = FusedSgd.update(tf, variables, gradients, learningRate, List.of(loss));
 * session.runner().feed(...).fetch(loss).addTarget(apply).run();
 * }</pre>
 */
public final class FusedSgd {
  /**
   * Ops whose output never shares its input's buffer when that buffer is a variable's (TensorFlow only
   * forwards an input buffer it owns alone, and the variable holds a reference). Every other op is
   * treated as a possible view of its input.
   */
  static final Set<String> FRESH_OUTPUT = Set.of(
      "MatMul", "_FusedMatMul", "BatchMatMul", "BatchMatMulV2", "BatchMatMulV3", "Einsum",
      "GatherV2", "Gather", "GatherNd", "UnsortedSegmentSum",
      "Mul", "Add", "AddV2", "AddN", "Sub", "RealDiv", "Div", "DivNoNan", "Neg", "Square", "SquaredDifference",
      "Sqrt", "Rsqrt", "Pow", "Exp", "Log", "Tanh", "Sigmoid", "Erf", "Relu", "Maximum", "Minimum",
      "Sum", "Mean", "Max", "Min", "Prod", "L2Loss", "Softmax",
      "Shape", "ShapeN", "Size", "Rank", "ZerosLike", "OnesLike");

  private FusedSgd() {}

  /**
   * Builds the fused update of every variable whose gradient is not {@code null}.
   *
   * @param gradients one per variable, in order; {@code null} where the loss does not depend on it
   * @param stepSize scalar: the learning rate, times the clipping coefficient when clipping
   * @param stepOutputs what the training step computes besides the updates (the loss): only ops they or
   *     the gradients need count as readers, so ops of other graphs over the same variables (evaluation,
   *     checkpoint assignment) are neither waited for nor pulled into the step
   * @return an op that runs every update; run it as the step's target
   */
  public static Op update(Ops tf, List<Variable<TFloat32>> variables, List<Operand<TFloat32>> gradients,
      Operand<TFloat32> stepSize, Collection<? extends Operand<?>> stepOutputs) {
    if (variables.size() != gradients.size()) {
      throw new IllegalArgumentException(variables.size() + " variables but " + gradients.size() + " gradients");
    }
    Set<GraphOperation> outputs = new LinkedHashSet<>();
    stepOutputs.forEach(o -> outputs.add((GraphOperation) o.op()));
    gradients.stream().filter(g -> g != null).forEach(g -> outputs.add((GraphOperation) g.op()));
    Graph graph = (Graph) tf.scope().env();
    Set<GraphOperation> step = new HashSet<>(graph.subgraphToOps(outputs));
    step.addAll(outputs);

    Ops s = tf.withSubScope("fused_sgd");
    List<Op> updates = new ArrayList<>();
    for (int i = 0; i < variables.size(); i++) {
      Operand<TFloat32> g = gradients.get(i);
      if (g == null) {
        continue;
      }
      Set<GraphOperation> readers = readers((GraphOperation) variables.get(i).op(), step);
      updates.add(s.withControlDependencyOps(new ArrayList<>(readers))
          .train.applyGradientDescent(variables.get(i), stepSize, g));
    }
    return s.withControlDependencies(updates).withName("apply").noOp();
  }

  /** The ops of {@code step} that read {@code variable}'s value, directly or through a possible view. */
  static Set<GraphOperation> readers(GraphOperation variable, Set<GraphOperation> step) {
    Set<GraphOperation> readers = new LinkedHashSet<>();
    Set<GraphOperation> views = new HashSet<>();
    Deque<GraphOperation> todo = new ArrayDeque<>();
    todo.push(variable);
    views.add(variable);
    while (!todo.isEmpty()) {
      for (GraphOperation consumer : todo.pop().consumers()) {
        if (!step.contains(consumer)) {
          continue;
        }
        readers.add(consumer);
        if (!FRESH_OUTPUT.contains(consumer.type()) && views.add(consumer)) {
          todo.push(consumer);
        }
      }
    }
    return readers;
  }
}
