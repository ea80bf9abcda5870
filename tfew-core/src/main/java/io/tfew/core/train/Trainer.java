package io.tfew.core.train;


import io.tfew.api.TfewException;
import io.tfew.core.optim.LearningRateSchedule;
import io.tfew.core.runtime.ModelGraph;
import io.tfew.core.score.ChoiceBatch;
import io.tfew.core.score.EncodedExample;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.proto.RunMetadata;
import org.tensorflow.proto.RunOptions;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * The training loop: one {@code Session.run} per micro-batch, the last of each step applying the
 * update. Everything random (data order, template draws, dropout) is a function of the seed and the
 * position, so a run resumed from a checkpoint continues exactly as the uninterrupted run would.
 *
 * <pre>{@code
 * Trainer trainer = new Trainer(graph, session, training,
 *     new TrainingOptions(1000, 8, 1, 3e-3, 100, seed), new LinearWarmupDecay(0.06), examples);
 * Trainer.Outcome done = trainer.train(runDir.resolve("checkpoint"), true,
 *     (step, loss, gradientNorm, lr) -> System.out.printf("%d %.4f%n", step, loss));
 * }</pre>
 *
 * <p>{@link TrainableModel#trainer} builds one over a model opened for training.
 */
public final class Trainer {
  /** Receives progress after every optimizer step. */
  @FunctionalInterface
  public interface Listener {
    void onStep(long step, double loss, double gradientNorm, double learningRate);

    /**
     * Each configured loss of the step's last micro-batch, unweighted, by name (the graph's
     * {@link TrainingGraph#terms}); called just before {@link #onStep} of the same step.
     */
    default void onLossTerms(long step, Map<String, Double> terms) {}
  }

  /** How a call to {@link #train} ended. */
  public record Outcome(long startStep, long endStep, double lastLoss) {}

  private final ModelGraph model;
  private final Session session;
  private final TrainingGraph graph;
  private final TrainingOptions options;
  private final LearningRateSchedule schedule;
  private final ExampleSource examples;
  private final int padId;
  private long cachedEpoch = -1;
  private int[] permutation;

  public Trainer(ModelGraph model, Session session, TrainingGraph graph, TrainingOptions options,
      LearningRateSchedule schedule, ExampleSource examples) {
    if (examples.size() == 0) {
      throw new TfewException("data.train: no training examples");
    }
    if (graph.fused && options.gradAccum() != 1) {
      throw new TfewException("train.grad_accum = " + options.gradAccum() + ": a fused (LOMO) step applies each "
          + "gradient as soon as it is computed and cannot accumulate; set train.grad_accum: 1");
    }
    this.model = model;
    this.session = session;
    this.graph = graph;
    this.options = options;
    this.schedule = schedule;
    this.examples = examples;
    this.padId = model.config().padTokenId();
  }

  /**
   * Trains up to {@code options.steps()}, continuing from the state in {@code checkpointDir} when
   * {@code resume} is set and a state exists there.
   */
  public Outcome train(Path checkpointDir, boolean resume, Listener listener) {
    graph.resetState(session);
    long start = 0;
    if (resume && checkpointDir != null && TrainingCheckpoint.exists(checkpointDir)) {
      TrainingCheckpoint.State state = TrainingCheckpoint.restore(checkpointDir, model.parameters(), graph, session);
      if (state.seed() != options.seed()) {
        throw new TfewException(checkpointDir.resolve(TrainingCheckpoint.FILE) + ": written with seed "
            + state.seed() + " but this run has seed " + options.seed() + "; resume with the same config");
      }
      start = state.step();
    }
    double last = Double.NaN;
    for (long step = start; step < options.steps(); step++) {
      double lr = options.learningRate() * schedule.multiplier(step, options.steps());
      double[] result = null;
      for (int micro = 0; micro < options.gradAccum(); micro++) {
        long microIndex = step * options.gradAccum() + micro;
        boolean lastMicro = micro == options.gradAccum() - 1;
        result = runMicroBatch(microIndex, step + 1, lr, lastMicro);
        if (!Double.isFinite(result[0])) {
          throw new TfewException("training stopped: the loss is " + result[0] + " at step " + (step + 1)
              + (checkpointDir != null && TrainingCheckpoint.exists(checkpointDir)
                  ? "; the last good state is kept in " + checkpointDir.resolve(TrainingCheckpoint.FILE) : "")
              + "; lower train.lr or check the data");
        }
      }
      last = result[0];
      boolean due = options.checkpointEvery() > 0 && (step + 1) % options.checkpointEvery() == 0;
      if (checkpointDir != null && (due || step + 1 == options.steps())) {
        TrainingCheckpoint.save(checkpointDir, step + 1, options.seed(), model.parameters(), graph, session);
      }
      Map<String, Double> terms = new LinkedHashMap<>();
      int t = 2;
      for (String name : graph.terms.keySet()) {
        terms.put(name, result[t++]);
      }
      listener.onLossTerms(step + 1, terms);
      listener.onStep(step + 1, result[0], result[1], lr);
    }
    return new Outcome(start, options.steps(), last);
  }

  /** Returns {loss, gradient norm, each loss term} (the norm only on the applying micro-batch). */
  private double[] runMicroBatch(long microIndex, long updateIndex, double lr, boolean applies) {
    List<EncodedExample> batch = new ArrayList<>(options.batchSize());
    for (int j = 0; j < options.batchSize(); j++) {
      long i = microIndex * options.batchSize() + j;
      batch.add(examples.draw(exampleAt(i), new SplittableRandom(mix(options.seed(), i))));
    }
    try (ChoiceBatch packed = ChoiceBatch.pack(batch, padId)) {
      return runStep(model, session, graph, packed, options.seed(), microIndex, lr, updateIndex, applies);
    }
  }

  /**
   * One {@code Session.run} of the training step on an already packed batch, fed exactly as
   * {@link #train} feeds it: the dropout seed is {@code (seed, microIndex)}. With {@code applies} the run
   * updates the parameters ({@link TrainingGraph#apply}; two runs for a clipped fused graph), otherwise it
   * only accumulates the gradient.
   * {@code tfew bench train} times this call.
   *
   * @param updateIndex the 1-based index of the optimizer update this micro-batch belongs to
   * @return {loss, gradient norm, then each of {@link TrainingGraph#terms} in its order} (the norm is NaN
   *     when {@code applies} is false)
   */
  public static double[] runStep(ModelGraph model, Session session, TrainingGraph graph, ChoiceBatch packed,
      long seed, long microIndex, double lr, long updateIndex, boolean applies) {
    return runStep(model, session, graph, packed, seed, microIndex, lr, updateIndex, applies, null);
  }

  /**
   * {@link #runStep(ModelGraph, Session, TrainingGraph, ChoiceBatch, long, long, double, long, boolean)}
   * with TensorFlow's step statistics: every {@code Session.run} of the step runs with
   * {@code RunOptions} trace level {@code FULL_TRACE}, and {@code trace} receives each run's
   * {@code RunMetadata} (one per run: two for a clipped fused step). {@code tfew bench train --profile}
   * aggregates them; tracing slows the step, so timed steps pass {@code null}.
   */
  public static double[] runStep(ModelGraph model, Session session, TrainingGraph graph, ChoiceBatch packed,
      long seed, long microIndex, double lr, long updateIndex, boolean applies, Consumer<RunMetadata> trace) {
    try (TInt64 seedT = TInt64.vectorOf(seed, microIndex);
        TFloat32 lrT = TFloat32.scalarOf((float) lr);
        TFloat32 stepT = TFloat32.scalarOf(updateIndex)) {
      Session.Runner runner = packed.feed(session.runner(), graph.rank)
          .feed(model.dropoutSeed(), seedT)
          .feed(graph.learningRate, lrT)
          .feed(graph.step, stepT)
          .fetch(graph.loss);
      // The terms are part of the loss already computed, so fetching them costs no extra work.
      graph.terms.values().forEach(runner::fetch);
      if (applies && graph.measuredNorm != null) {
        return runTwoPasses(model, session, graph, packed, seedT, lrT, stepT, runner, trace);
      }
      if (!applies && graph.applies == null) {
        throw new IllegalArgumentException("a step that does not apply needs a graph built with grad_accum > 1");
      }
      runner.fetch(graph.gradientNorm).addTarget(graph.apply);
      try (TBool appliesT = graph.applies == null ? null : TBool.scalarOf(applies)) {
        if (appliesT != null) {
          runner.feed(graph.applies, appliesT);
        }
        try (Result r = run(runner, trace)) {
          double norm = applies ? ((TFloat32) r.get(1 + graph.terms.size())).getFloat() : Double.NaN;
          return stepResult(r, graph, norm);
        }
      }
    }
  }

  /**
   * LOMO's clipped step: the first run measures the gradient norm and updates nothing; the second, on the
   * same batch and dropout seed and so with the same gradients, applies the fused update clipped by it.
   */
  private static double[] runTwoPasses(ModelGraph model, Session session, TrainingGraph graph, ChoiceBatch packed,
      TInt64 seedT, TFloat32 lrT, TFloat32 stepT, Session.Runner measure, Consumer<RunMetadata> trace) {
    double[] result;
    float norm;
    try (Result r = run(measure.fetch(graph.gradientNorm), trace)) {
      norm = ((TFloat32) r.get(1 + graph.terms.size())).getFloat();
      result = stepResult(r, graph, norm);
    }
    if (!Double.isFinite(result[0])) {
      return result;
    }
    try (TFloat32 normT = TFloat32.scalarOf(norm);
        Result r = run(packed.feed(session.runner(), graph.rank)
            .feed(model.dropoutSeed(), seedT)
            .feed(graph.learningRate, lrT)
            .feed(graph.step, stepT)
            .feed(graph.measuredNorm, normT)
            .addTarget(graph.apply), trace)) {
      return result;
    }
  }

  private static Result run(Session.Runner runner, Consumer<RunMetadata> trace) {
    if (trace == null) {
      return runner.run();
    }
    Result r = runner.setOptions(FULL_TRACE).runAndFetchMetadata();
    r.getMetadata().ifPresent(trace);
    return r;
  }

  private static final RunOptions FULL_TRACE =
      RunOptions.newBuilder().setTraceLevel(RunOptions.TraceLevel.FULL_TRACE).build();

  /** {loss, norm, terms...} from a run that fetched the loss, then the terms. */
  private static double[] stepResult(Result r, TrainingGraph graph, double norm) {
    double[] out = new double[2 + graph.terms.size()];
    out[0] = ((TFloat32) r.get(0)).getFloat();
    out[1] = norm;
    for (int i = 0; i < graph.terms.size(); i++) {
      out[2 + i] = ((TFloat32) r.get(1 + i)).getFloat();
    }
    return out;
  }

  /** Example index of the {@code i}-th draw: epochs of seeded permutations of all rows. */
  private int exampleAt(long i) {
    int n = examples.size();
    long epoch = i / n;
    if (epoch != cachedEpoch) {
      permutation = new int[n];
      for (int k = 0; k < n; k++) {
        permutation[k] = k;
      }
      SplittableRandom r = new SplittableRandom(mix(options.seed(), -1 - epoch));
      for (int k = n - 1; k > 0; k--) {
        int j = r.nextInt(k + 1);
        int t = permutation[k];
        permutation[k] = permutation[j];
        permutation[j] = t;
      }
      cachedEpoch = epoch;
    }
    return permutation[(int) (i % n)];
  }

  /** SplitMix64's finaliser over (seed, index): independent streams for nearby indices. */
  static long mix(long seed, long index) {
    long z = seed * 0x9E3779B97F4A7C15L + index;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
