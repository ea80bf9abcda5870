package io.tfew.experiments.report;

import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;

/**
 * What one run directory contributes to a report.
 *
 * @param dir the run directory, relative to the directory the report was asked for
 * @param dataset the grouping key of the columns: the run's task (see {@link RunScan}) unless told otherwise
 * @param method the PEFT methods joined with {@code +}, or {@code zero-shot}
 * @param model the config's {@code model}, to tell apart runs on different base models
 * @param seed the run's seed, empty when the record has none
 * @param state whether the run counts, and if not why
 * @param detail a sentence for runs that do not count; empty otherwise
 * @param values the final evaluation's metric, one per prompt template
 * @param trainable trainable parameters of the run, 0 for zero-shot
 * @param baseParameters the base model's parameter count, empty for runs that did not record it
 * @param loss the training curve from {@code metrics.jsonl}
 */
public record RunResult(Path dir, String dataset, String method, String model, OptionalLong seed, State state,
    String detail, List<Double> values, OptionalLong trainable, OptionalLong baseParameters, List<LossPoint> loss) {

  /** Why a run is in the report. */
  public enum State {
    /** Finished with the metric: its values enter the tables. */
    COUNTED,
    /** No {@code finished} time in {@code provenance.json}: still running, stopped or crashed. */
    UNFINISHED,
    /** Finished, but without a final value of the metric. */
    NO_METRIC,
    /** The files are there but could not be read. */
    UNREADABLE
  }

  /** One training step's loss. */
  public record LossPoint(long step, double loss) {}

  public RunResult {
    values = List.copyOf(values);
    loss = List.copyOf(loss);
  }

  /** The same run in another column. */
  public RunResult withDataset(String name) {
    return new RunResult(dir, name, method, model, seed, state, detail, values, trainable, baseParameters, loss);
  }

  public boolean counted() {
    return state == State.COUNTED;
  }
}
