package io.tfew.experiments.sweep;

import io.tfew.experiments.run.RunDirectory;

import io.tfew.core.train.TrainingCheckpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** How far a cell's run directory got, read from what {@code tfew train} writes there. */
public enum CellState {
  /** Nothing trained yet. */
  NEW,
  /** A training state in {@code checkpoint/} that {@code --resume} continues from. */
  PARTIAL,
  /** {@code provenance.json} records {@code finished}. */
  FINISHED,
  /** The directory holds a run of another config than the cell's (the grid or --set changed). */
  OTHER_CONFIG;

  static final String CONFIG = "config.resolved.yaml";

  /** The state of {@code dir} for a cell whose resolved config is {@code configYaml}. */
  public static CellState of(Path dir, String configYaml) {
    boolean finished = finished(dir);
    boolean partial = TrainingCheckpoint.exists(dir.resolve("checkpoint"));
    if (!finished && !partial) {
      // A run that failed before its first checkpoint left nothing to keep: it simply runs again.
      return NEW;
    }
    try {
      Path config = dir.resolve(CONFIG);
      if (Files.isRegularFile(config) && !Files.readString(config).equals(configYaml)) {
        return OTHER_CONFIG;
      }
    } catch (IOException e) {
      return OTHER_CONFIG;
    }
    return finished ? FINISHED : PARTIAL;
  }

  /** Whether {@code dir/provenance.json} records {@code finished}. */
  public static boolean finished(Path dir) {
    return RunDirectory.finished(dir);
  }

  /** Lower case, for listings. */
  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
  }
}
