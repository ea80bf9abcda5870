package io.tfew.experiments.sweep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tfew.api.TfewException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Workers run each cell's command once, append its output to the cell's log and report how it ended. */
class LocalWorkersTest {
  @TempDir
  Path tmp;

  /** A stand-in for the cell command: the shell gets the cell index as $0 and exits 1 for cell 1, 3 for cell 2. */
  private static final CellCommand COMMAND = new CellCommand(List.of("sh", "-c",
      "echo \"ran cell $0\"; if [ \"$0\" = 1 ]; then exit 1; elif [ \"$0\" = 2 ]; then exit 3; fi"));

  private List<GridCell> cells(int n) {
    List<GridCell> cells = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      cells.add(new GridCell(i, "c" + i, tmp.resolve("c" + i), Map.of("x", "c" + i), List.of()));
    }
    return cells;
  }

  @Test
  void eachCellRunsOnceWithItsOutputInItsLogAndItsExitStatusReported() throws IOException {
    List<String> started = new ArrayList<>();
    List<LocalWorkers.Result> ended = new ArrayList<>();
    List<LocalWorkers.Result> results = new LocalWorkers(2, COMMAND).run(cells(4), new LocalWorkers.Listener() {
      @Override
      public void started(GridCell cell) {
        started.add(cell.name());
      }

      @Override
      public void ended(LocalWorkers.Result result) {
        ended.add(result);
      }
    });

    assertThat(results).extracting(LocalWorkers.Result::status).containsExactly(LocalWorkers.Status.FINISHED,
        LocalWorkers.Status.FAILED, LocalWorkers.Status.BUSY, LocalWorkers.Status.FINISHED);
    assertThat(results.get(1).exitCode()).isEqualTo(1);
    assertThat(results.get(1).log()).isEqualTo(tmp.resolve("c1").resolve(LocalWorkers.LOG));
    assertThat(started).containsExactlyInAnyOrder("c0", "c1", "c2", "c3");
    assertThat(ended).hasSize(4);
    for (int i = 0; i < 4; i++) {
      assertThat(Files.readString(tmp.resolve("c" + i).resolve(LocalWorkers.LOG))).isEqualTo("ran cell " + i + "\n");
    }
  }

  @Test
  void aSecondRunAppendsToTheLog() throws IOException {
    LocalWorkers.Listener quiet = new LocalWorkers.Listener() {
      @Override
      public void started(GridCell cell) {}

      @Override
      public void ended(LocalWorkers.Result result) {}
    };
    new LocalWorkers(1, COMMAND).run(cells(1), quiet);
    new LocalWorkers(1, COMMAND).run(cells(1), quiet);

    assertThat(Files.readString(tmp.resolve("c0").resolve(LocalWorkers.LOG))).isEqualTo("ran cell 0\nran cell 0\n");
  }

  @Test
  void zeroWorkersIsRefused() {
    assertThatThrownBy(() -> new LocalWorkers(0, COMMAND)).isInstanceOf(TfewException.class)
        .hasMessageContaining("--workers 0");
  }

  @Test
  void onTheGpuEachWorkerSeesOneDeviceInTurn() {
    LocalWorkers workers = new LocalWorkers(3, COMMAND, WorkerDevices.of("0,1"));
    GridCell cell = cells(1).get(0);

    assertThat(List.of(0, 1, 2)).map(slot -> workers.processFor(cell, slot).environment().get("CUDA_VISIBLE_DEVICES"))
        .containsExactly("0", "1", "0");
  }

  @Test
  void withoutGpuTheWorkersEnvironmentIsThisProcesss() {
    ProcessBuilder pb = new LocalWorkers(2, COMMAND).processFor(cells(1).get(0), 1);

    assertThat(pb.environment().get("CUDA_VISIBLE_DEVICES")).isEqualTo(System.getenv("CUDA_VISIBLE_DEVICES"));
    assertThat(pb.environment()).isEqualTo(System.getenv());
  }

  @Test
  void aCellRunsOnItsWorkersDevice() throws IOException {
    CellCommand printDevice = new CellCommand(List.of("sh", "-c", "echo \"cell $0 on $CUDA_VISIBLE_DEVICES\""));
    LocalWorkers.Listener quiet = new LocalWorkers.Listener() {
      @Override
      public void started(GridCell cell) {}

      @Override
      public void ended(LocalWorkers.Result result) {}
    };

    // One worker: every cell runs on its device, the first of the list, whatever the cell's index.
    new LocalWorkers(1, printDevice, WorkerDevices.of("7,9")).run(cells(3), quiet);

    for (int i = 0; i < 3; i++) {
      assertThat(Files.readString(tmp.resolve("c" + i).resolve(LocalWorkers.LOG))).isEqualTo("cell " + i + " on 7\n");
    }
  }
}
