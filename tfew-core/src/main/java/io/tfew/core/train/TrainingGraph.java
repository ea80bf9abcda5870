package io.tfew.core.train;

import io.tfew.api.loss.ChoiceLogProbs;
import io.tfew.api.loss.Loss;
import io.tfew.core.model.TrainableParameters;
import io.tfew.core.optim.FusedSgd;
import io.tfew.core.optim.GradientClipping;
import io.tfew.core.optim.Optimizer;
import io.tfew.core.optim.Sgd;
import io.tfew.core.runtime.ModelGraph;
import io.tfew.core.score.RankScoringGraph;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Assign;
import org.tensorflow.op.core.Gradients;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.SwitchCond;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/**
 * The ops of one optimizer step on a training {@link ModelGraph}: the rank-classification forward
 * pass, the weighted sum of the configured losses, gradients for the trainable parameters only (the
 * frozen weights' gradients are pruned because nothing fetches them), global-norm clipping and the
 * optimizer's update.
 *
 * <p>Without accumulation, one {@code Session.run} of {@link #apply} is one optimizer step. With
 * {@code k} micro-batches per step, every micro-batch runs {@link #apply} too, fed {@link #applies}: false for
 * the first {@code k - 1}, which only add their gradient to the accumulators, and true for the last, which
 * updates from the mean gradient and clears the accumulators. Both kinds of run have one signature (same
 * feeds, fetches and targets), so TensorFlow prunes and optimises the graph for them once: with two signatures
 * the first optimizer step paid for that twice, on a T0-3B graph about 47 s more than a steady step.
 *
 * <p>{@link #buildFused} builds LOMO's step instead ({@link FusedSgd}): SGD inside the backward pass, no
 * accumulation. With clipping, a step is two runs on the same batch and dropout seed: the first fetches
 * {@link #gradientNorm} only, the second feeds it to {@link #measuredNorm} and runs {@link #apply}.
 *
 * <pre>{@code
 * List<TrainingGraph.WeightedLoss> losses = List.of(
 *     new TrainingGraph.WeightedLoss("lm", registry.loss("lm", "losses").create(lmConfig), 1.0));
 * TrainingGraph step = TrainingGraph.build(graph, losses, new Adafactor(Adafactor.Options.tfew()), 1, 1.0);
 * }</pre>
 */
public final class TrainingGraph {
  public final RankScoringGraph rank;
  /** Scalar: the weighted sum of the losses. */
  public final Operand<TFloat32> loss;
  /** Each configured loss, unweighted, by name. */
  public final Map<String, Operand<TFloat32>> terms;
  /**
   * Scalar: global norm of this step's (mean) gradient before clipping; with accumulation, NaN on the
   * micro-batches that do not apply.
   */
  public final Operand<TFloat32> gradientNorm;
  /** Scalar fed per step: the scheduled learning rate. */
  public final Placeholder<TFloat32> learningRate;
  /** Scalar fed per step: the 1-based index of the optimizer update. */
  public final Placeholder<TFloat32> step;
  /**
   * Scalar fed to every micro-batch with accumulation: whether it is the step's last, which applies the update
   * ({@code null} without accumulation).
   */
  public final Placeholder<TBool> applies;
  /**
   * The step's target. Without accumulation it applies one update. With it, it adds the micro-batch's gradient
   * to the accumulators, or, when {@link #applies} is fed true, applies one update from the accumulated and
   * current gradients and clears the accumulators.
   */
  public final Op apply;
  /**
   * Scalar fed to the second run of a clipped fused step: the norm the first run measured ({@code null}
   * unless the graph is fused and clips).
   */
  public final Placeholder<TFloat32> measuredNorm;
  /** Whether {@link #apply} is LOMO's fused SGD. */
  public final boolean fused;
  public final Optimizer optimizer;
  /** Checkpointable optimizer state, by name, with an assign op each for restoring. */
  final Map<String, Variable<TFloat32>> slots;
  final Map<String, Placeholder<TFloat32>> slotFeeds = new LinkedHashMap<>();
  final Map<String, Assign<TFloat32>> slotAssigns = new LinkedHashMap<>();
  final List<Op> accumulatorResets = new ArrayList<>();

  /**
   * Zeroes the optimizer's slots and the gradient accumulators: the state a run starts from. {@link Trainer}
   * calls it before its first step; code that drives {@link Trainer#runStep} itself calls it once after the
   * session has its weights.
   */
  public void resetState(Session session) {
    optimizer.initializeSlots(session);
    Optimizer.runTogether(session, accumulatorResets);
  }

  /** A loss with its weight. */
  public record WeightedLoss(String name, Loss loss, double weight) {}

  private TrainingGraph(ModelGraph graph, List<WeightedLoss> losses, Optimizer optimizer, int gradAccum,
      double maxGradNorm, boolean fused) {
    Ops tf = graph.ops().withSubScope("train");
    this.optimizer = optimizer;
    this.fused = fused;
    rank = RankScoringGraph.build(graph.ops(), graph.model());
    ChoiceLogProbs batch = rank.asChoiceLogProbs();
    terms = new LinkedHashMap<>();
    Operand<TFloat32> total = null;
    for (WeightedLoss w : losses) {
      Operand<TFloat32> term = w.loss().build(tf.withSubScope("loss_" + w.name()), batch);
      terms.put(w.name(), term);
      Operand<TFloat32> weighted = tf.math.mul(term, tf.constant((float) w.weight()));
      total = total == null ? weighted : tf.math.add(total, weighted);
    }
    if (total == null) {
      throw new io.tfew.api.TfewException("losses: no loss configured; e.g. losses: {lm: 1.0}");
    }
    loss = total;

    TrainableParameters parameters = graph.parameters();
    List<Variable<TFloat32>> variables = new ArrayList<>();
    parameters.declared().values().forEach(d -> variables.add(d.variable()));
    // A method that matched nothing is the likelier cause than one that declares nothing: name it first.
    graph.rewrites().requireEveryMethodTouchedASite(parameters);
    if (variables.isEmpty()) {
      throw new io.tfew.api.TfewException("peft: the configured methods declare no trainable parameters");
    }
    Gradients gradients = tf.gradients(loss, variables);
    learningRate = tf.withName("learning_rate").placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
    step = tf.withName("step").placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
    if (fused) {
      List<Operand<TFloat32>> raw = new ArrayList<>();
      for (int i = 0; i < variables.size(); i++) {
        raw.add(gradients.dy(i));
      }
      gradientNorm = GradientClipping.globalNorm(tf, raw.stream().filter(g -> g != null).toList());
      Operand<TFloat32> stepSize = learningRate;
      if (maxGradNorm > 0) {
        measuredNorm = tf.withName("measured_gradient_norm").placeholder(TFloat32.class,
            Placeholder.shape(Shape.scalar()));
        stepSize = tf.math.mul(learningRate, GradientClipping.coefficient(tf, measuredNorm, (float) maxGradNorm));
      } else {
        measuredNorm = null;
      }
      apply = FusedSgd.update(tf, variables, raw, stepSize, List.of(loss));
      applies = null;
      slots = optimizer.slots();
      return;
    }
    measuredNorm = null;
    List<Operand<TFloat32>> grads = new ArrayList<>();
    for (int i = 0; i < variables.size(); i++) {
      Operand<TFloat32> g = gradients.dy(i);
      grads.add(g == null ? tf.zerosLike(variables.get(i)) : g);
    }

    List<Operand<TFloat32>> mean = grads;
    List<Variable<TFloat32>> accumulators = new ArrayList<>();
    Op accumulate = null;
    if (gradAccum > 1) {
      // Each gradient passes a Switch on `applies`: to its accumulator when false, to the update when true. A
      // node with a dead input does not run, so a micro-batch that only accumulates skips every op downstream
      // of the update's side: the clipping, and the optimizer's assignments, each of which reads its gradient.
      applies = tf.withName("applies").placeholder(TBool.class, Placeholder.shape(Shape.scalar()));
      List<Op> adds = new ArrayList<>();
      mean = new ArrayList<>();
      for (int i = 0; i < variables.size(); i++) {
        Shape shape = variables.get(i).shape();
        Variable<TFloat32> acc = tf.withName("accumulator_" + i).variable(shape, TFloat32.class);
        accumulators.add(acc);
        SwitchCond<TFloat32> gate = tf.withName("gradient_gate_" + i).switchCond(grads.get(i), applies);
        adds.add(tf.assignAdd(acc, gate.outputFalse()));
        mean.add(tf.math.div(tf.math.add(acc, gate.outputTrue()), tf.constant((float) gradAccum)));
      }
      accumulate = tf.withControlDependencies(adds).withName("accumulate").noOp();
    } else {
      applies = null;
    }
    // An update overwrites its weight in place. Clipping makes every update wait for every gradient, but
    // without it an update could run while the backward pass still has to read the old weight (dx = dy W):
    // "all gradients, then the update" is enforced here, whatever the clipping.
    List<org.tensorflow.Operation> backward = new ArrayList<>();
    grads.forEach(g -> backward.add(g.op()));
    Ops afterBackward = tf.withControlDependencyOps(backward);
    mean = mean.stream().map(g -> (Operand<TFloat32>) afterBackward.identity(g)).toList();
    Operand<TFloat32> norm = GradientClipping.globalNorm(tf, mean);
    List<Operand<TFloat32>> clipped = maxGradNorm > 0
        ? GradientClipping.byGlobalNorm(tf, mean, (float) maxGradNorm) : mean;
    Op update = optimizer.update(tf, variables, clipped, learningRate, step);
    if (accumulators.isEmpty()) {
      gradientNorm = norm;
      apply = update;
    } else {
      // A fetched tensor must be alive in every run: the norm where the run applies, NaN where it accumulates.
      Operand<TFloat32> notApplied = tf.withName("norm_gate").switchCond(tf.constant(Float.NaN), applies)
          .outputFalse();
      gradientNorm = tf.withName("gradient_norm").merge(List.of(norm, notApplied)).output();
      // Clear only after the update has read the accumulated values.
      Ops afterUpdate = tf.withControlDependencies(List.of(update));
      List<Op> clears = new ArrayList<>();
      for (Variable<TFloat32> acc : accumulators) {
        clears.add(afterUpdate.assign(acc, afterUpdate.zeros(afterUpdate.constant(acc.shape()), TFloat32.class)));
      }
      List<Op> either = new ArrayList<>(clears);
      either.add(accumulate);
      apply = tf.withControlDependencies(either).withName("apply").noOp();
    }
    for (Variable<TFloat32> acc : accumulators) {
      accumulatorResets.add(tf.assign(acc, tf.zeros(tf.constant(acc.shape()), TFloat32.class)));
    }
    slots = optimizer.slots();
    for (Map.Entry<String, Variable<TFloat32>> e : slots.entrySet()) {
      Placeholder<TFloat32> feed = tf.withName("slot_feed_" + slotFeeds.size())
          .placeholder(TFloat32.class, Placeholder.shape(e.getValue().shape()));
      slotFeeds.put(e.getKey(), feed);
      slotAssigns.put(e.getKey(), tf.assign(e.getValue(), feed));
    }
  }

  public static TrainingGraph build(ModelGraph graph, List<WeightedLoss> losses, Optimizer optimizer,
      int gradAccum, double maxGradNorm) {
    return new TrainingGraph(graph, losses, optimizer, gradAccum, maxGradNorm, false);
  }

  /**
   * LOMO's step: SGD fused into the backward pass ({@link FusedSgd}), gradients clipped to
   * {@code maxGradNorm} by the two-run scheme (0: no clipping, one run per step). Its {@link #optimizer}
   * is {@link Sgd}, which keeps no state.
   */
  public static TrainingGraph buildFused(ModelGraph graph, List<WeightedLoss> losses, double maxGradNorm) {
    return new TrainingGraph(graph, losses, new Sgd(), 1, maxGradNorm, true);
  }
}
