package io.tfew.experiments.sweep;

import io.tfew.api.TfewException;
import io.tfew.core.files.AtomicFile;
import io.tfew.experiments.run.ExperimentRunner;
import io.tfew.experiments.run.RunDirectory;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Runs one cell in this process ({@code tfew sweep GRID --cell I}, what every local worker and Slurm
 * array task runs): takes the cell's lock, skips a finished cell, resumes a partial one, and records
 * the grid and the cell's axis values in {@code provenance.json}.
 */
public final class CellRun {
  /** Exit status of a cell whose lock another live process holds. */
  public static final int BUSY = 3;

  private CellRun() {}

  /** Runs cell {@code index} of {@code plan}; returns 0 (finished, now or before) or {@link #BUSY}. */
  public static int run(SweepPlan plan, int index, ExperimentRunner runner, ExperimentRunner.Progress progress,
      PrintWriter log) {
    SweepPlan.Planned planned = plan.cell(index);
    GridCell cell = planned.cell();
    String tag = "tfew sweep: cell " + index + " " + cell.name();
    Optional<CellLock> lock = CellLock.tryAcquire(cell.dir());
    if (lock.isEmpty()) {
      log.println(tag + ": busy, locked by " + CellLock.owner(cell.dir()) + "; not run");
      log.flush();
      return BUSY;
    }
    try (CellLock held = lock.get()) {
      // Holding the lock, any tfew temporary here whose writer is gone is a leftover of a killed run.
      AtomicFile.removeStaleTemporaries(cell.dir());
      CellState state = CellState.of(cell.dir(), planned.config().resolved().toYaml());
      switch (state) {
        case FINISHED -> {
          log.println(tag + ": already finished; skipped");
          log.flush();
          return 0;
        }
        case OTHER_CONFIG -> throw new TfewException(cell.dir() + ": holds a run of another config than cell "
            + index + " (" + cell.name() + ") of " + plan.grid().file() + " (differing: "
            + String.join(", ", RunDirectory.differingKeys(cell.dir(), planned.config().resolved().toYaml()))
            + "; compare its " + CellState.CONFIG + "); the grid or --set changed since: delete the directory to run the cell "
            + "anew, or give the sweep another --out");
        default -> { }
      }
      log.println(tag + ": " + (state == CellState.PARTIAL ? "resuming" : "starting") + " (pid "
          + ProcessHandle.current().pid() + ")");
      log.flush();
      Map<String, Object> sweep = new LinkedHashMap<>();
      sweep.put("grid", plan.grid().file().toAbsolutePath().toString());
      sweep.put("cell", cell.name());
      sweep.put("index", index);
      sweep.put("axes", cell.axes());
      long start = System.nanoTime();
      runner.run(planned.config(), cell.dir(), true,
          "tfew sweep " + plan.grid().file() + " --cell " + index, progress, Map.of("sweep", sweep));
      log.printf(Locale.ROOT, "%s: finished in %.1f s%n", tag, (System.nanoTime() - start) / 1e9);
      log.flush();
      return 0;
    }
  }
}
