package io.tfew.experiments.run;

import io.tfew.experiments.tensorboard.EventFileWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A run's metrics as TensorBoard scalars in {@code <run>/tensorboard/}, written as they happen, beside
 * {@code metrics.jsonl} (which is written at the end and stays the record that reports read).
 *
 * <p>Tags: a training row gives {@code train/loss}, {@code train/grad_norm} and {@code train/lr}, and each
 * configured loss term {@code train/loss/<name>}; an evaluation row gives
 * {@code eval/<template>/<metric>} (the {@code median} row included), so the zero-shot and final
 * evaluations are two points of one curve. Steps are those of {@code metrics.jsonl}.
 */
final class RunEvents implements AutoCloseable {
  static final String DIR = "tensorboard";
  /** Row fields that locate a row rather than measure something. */
  private static final Set<String> NOT_SCALARS = Set.of("phase", "step", "template", "examples");

  private final EventFileWriter writer;
  private int written;

  RunEvents(Path runDir) {
    writer = EventFileWriter.create(runDir.resolve(DIR));
  }

  /** Writes the rows of {@code metricRows} not yet written. */
  void catchUp(List<Map<String, Object>> metricRows) {
    for (; written < metricRows.size(); written++) {
      Map<String, Object> row = metricRows.get(written);
      long step = ((Number) row.get("step")).longValue();
      String prefix = "train".equals(row.get("phase")) ? "train/" : "eval/" + row.get("template") + "/";
      row.forEach((key, value) -> {
        if (!NOT_SCALARS.contains(key) && value instanceof Number n) {
          writer.scalar(prefix + key, step, n.doubleValue());
        }
      });
    }
  }

  void lossTerms(long step, Map<String, Double> terms) {
    terms.forEach((name, value) -> writer.scalar("train/loss/" + name, step, value));
  }

  @Override
  public void close() {
    writer.close();
  }
}
