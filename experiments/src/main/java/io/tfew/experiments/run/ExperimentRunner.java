package io.tfew.experiments.run;

import com.google.inject.Inject;
import io.tfew.core.hub.ModelLocator;
import io.tfew.core.plugin.PluginRegistry;
import io.tfew.experiments.config.ExperimentConfig;
import java.nio.file.Path;
import java.util.Map;

/**
 * Runs one experiment from its validated config: zero-shot evaluation, training, final evaluation.
 *
 * <p>Writes into the run directory: {@code config.resolved.yaml}, {@code provenance.json},
 * {@code metrics.jsonl} (training curve and evaluation metrics), {@code predictions/}, {@code adapter/}
 * and {@code checkpoint/} (training state for {@code --resume}). A config with no PEFT method, or with
 * {@code train.steps: 0}, only evaluates (zero-shot), once, as the {@code final} evaluation. {@link #open} keeps the built graph for several runs.
 */
public final class ExperimentRunner {
  /** Receives progress: the command turns it into progress bars. */
  public interface Progress {
    void phase(String name, long total);

    void advance(long done, String detail);

    void done();

    /** Reports nothing. */
    Progress NONE = new Progress() {
      @Override
      public void phase(String name, long total) {}

      @Override
      public void advance(long done, String detail) {}

      @Override
      public void done() {}
    };
  }

  /** What a run produced. */
  public record Outcome(Path dir, Map<String, Map<String, Double>> evaluations, long trainableParameters,
      long frozenParameters) {

    /** An outcome whose methods own no frozen tensors. */
    public Outcome(Path dir, Map<String, Map<String, Double>> evaluations, long trainableParameters) {
      this(dir, evaluations, trainableParameters, 0);
    }
  }

  private final ModelLocator locator;
  private final PluginRegistry registry;

  @Inject
  public ExperimentRunner(ModelLocator locator, PluginRegistry registry) {
    this.locator = locator;
    this.registry = registry;
  }

  public Outcome run(ExperimentConfig config, Path out, boolean resume, String command, Progress progress) {
    return run(config, out, resume, command, progress, Map.of());
  }

  /**
   * As {@link #run(ExperimentConfig, Path, boolean, String, Progress)}, recording {@code extra} in
   * {@code provenance.json} too (a sweep records which cell of which grid the run is).
   */
  public Outcome run(ExperimentConfig config, Path out, boolean resume, String command, Progress progress,
      Map<String, Object> extra) {
    try (ExperimentSession session = open(config, RunData::load, progress)) {
      return session.run(config, out, resume, command, progress, extra);
    }
  }

  /** Builds {@code config}'s graph and loads its checkpoint, for runs that vary only seed, data and schedule. */
  public ExperimentSession open(ExperimentConfig config, ExperimentSession.DataLoader data, Progress progress) {
    return ExperimentSession.open(config, locator, registry, data, progress);
  }
}
