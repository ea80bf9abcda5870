package io.tfew.testkit;

import io.tfew.api.config.ConfigSection;
import io.tfew.core.adapter.AdapterDirectory;
import io.tfew.core.plugin.PluginRegistry;
import io.tfew.core.runtime.ActiveMethod;
import io.tfew.core.runtime.LoadedModel;
import io.tfew.core.score.ChoiceScores;
import io.tfew.core.score.EncodedExample;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One training run of {@link PluginTestKit#train()}: the losses of every step, the task's loss before
 * and after training, the trained values and the adapter directory they were saved to.
 *
 * <pre>{@code
 * TrainedAdapter run = kit.train();
 * run.assertLossFalls().assertReloadScoresIdentically();
 * System.out.println(run.lossBefore() + " -> " + run.lossAfter());
 * }</pre>
 */
public final class TrainedAdapter {
  /**
   * How much the loss must fall, relative to where it started. The loss is measured without dropout on
   * fixed rows, so it has no noise: a method whose parameters are cut off from the model leaves it
   * exactly where it was, and (IA)^3 lowers it by several percent in 40 steps. A method with very few
   * parameters may need a higher learning rate ({@link PluginTestKit#withOptimizer}) to clear it.
   */
  public static final double MIN_RELATIVE_DROP = 0.01;

  private final String method;
  private final PluginRegistry registry;
  private final Path model;
  private final Path adapter;
  private final List<EncodedExample> rows;
  private final List<Double> stepLosses;
  private final double before;
  private final double after;
  private final Map<String, float[]> values;
  private final List<ChoiceScores> scores;
  private final long seed;
  private final ConfigSection trained;

  TrainedAdapter(String method, ConfigSection trained, PluginRegistry registry, Path model, Path adapter, List<EncodedExample> rows,
      List<Double> stepLosses, double before, double after, Map<String, float[]> values, List<ChoiceScores> scores,
      long seed) {
    this.method = method;
    this.registry = registry;
    this.model = model;
    this.adapter = adapter;
    this.rows = rows;
    this.stepLosses = List.copyOf(stepLosses);
    this.before = before;
    this.after = after;
    this.values = values;
    this.scores = scores;
    this.seed = seed;
    this.trained = trained;
  }

  /** The training loss of every optimizer step, with dropout, on that step's batch. */
  public List<Double> stepLosses() {
    return stepLosses;
  }

  /** The gold choices' mean negative log-likelihood over all the kit's rows, without dropout, before training. */
  public double lossBefore() {
    return before;
  }

  /** As {@link #lossBefore()}, after training. */
  public double lossAfter() {
    return after;
  }

  /** The adapter directory the run saved: what {@code tfew score --adapter} reads. */
  public Path adapterDir() {
    return adapter;
  }

  /** The trained values by parameter key, as read from the training session. */
  public Map<String, float[]> parameters() {
    return values;
  }

  /**
   * Fails unless training lowered the task's loss by at least {@link #MIN_RELATIVE_DROP} of where it
   * started. The loss is measured on the same rows before and after, without dropout, so the check is
   * deterministic: noise in the per-step losses cannot pass it.
   */
  public TrainedAdapter assertLossFalls() {
    if (!(after < before * (1 - MIN_RELATIVE_DROP))) {
      throw new AssertionError(String.format(
          "training method '%s' did not lower the loss: %.6f before, %.6f after %d steps (needed below %.6f). "
              + "Do its parameters reach the model's output, and are they returned from the hooks? "
              + "First and last step losses: %s ... %s",
          method, before, after, stepLosses.size(), before * (1 - MIN_RELATIVE_DROP),
          stepLosses.subList(0, Math.min(3, stepLosses.size())),
          stepLosses.subList(Math.max(0, stepLosses.size() - 3), stepLosses.size())));
    }
    return this;
  }

  /**
   * Reloads the adapter directory the way {@code tfew score --adapter} does (the method and its options
   * read back from the directory, a fresh graph, the base model, then the saved tensors) and fails unless
   * the method and options read back equal those trained, every parameter comes back bit for bit, and
   * the rows score exactly as they did at the end of training.
   */
  public TrainedAdapter assertReloadScoresIdentically() {
    AdapterDirectory.Spec spec = AdapterDirectory.read(adapter, registry);
    if (!spec.provider().name().equals(method)) {
      throw new AssertionError("the adapter names method '" + spec.provider().name() + "', not '" + method + "'");
    }
    ConfigSection config = ConfigSection.validate(adapter + ": tfew_config", spec.provider().configFields(),
        spec.methodConfig());
    if (!config.asMap().equals(trained.asMap())) {
      throw new AssertionError("the adapter's options read back as " + config.asMap() + " but method '" + method
          + "' was trained with " + trained.asMap());
    }
    ActiveMethod active = new ActiveMethod(method, spec.provider(), config, Optional.of(adapter));
    try (LoadedModel loaded = LoadedModel.open(model, List.of(active), List.of(LoadedModel.Program.SCORE), 512, seed,
        n -> { })) {
      for (Map.Entry<String, float[]> e : values.entrySet()) {
        float[] reloaded = loaded.graph().parameters().read(loaded.session(), e.getKey());
        if (!Arrays.equals(reloaded, e.getValue())) {
          throw new AssertionError("parameter '" + e.getKey() + "' of method '" + method
              + "' differs after saving and reloading the adapter; check adapterKey() maps every key to a "
              + "distinct file name");
        }
      }
      List<ChoiceScores> again = loaded.scorer().score(rows, PluginTestKit.ROWS, i -> { });
      for (int i = 0; i < rows.size(); i++) {
        if (!Arrays.equals(again.get(i).mean(), scores.get(i).mean())) {
          throw new AssertionError("row " + i + " scores " + Arrays.toString(again.get(i).mean())
              + " after reloading the adapter of method '" + method + "' but scored "
              + Arrays.toString(scores.get(i).mean()) + " at the end of training");
        }
      }
    }
    return this;
  }
}
