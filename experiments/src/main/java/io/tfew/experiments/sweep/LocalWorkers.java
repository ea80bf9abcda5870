package io.tfew.experiments.sweep;

import io.tfew.api.TfewException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs cells as child processes, at most {@code workers} at a time, each with its output appended to
 * {@code CELL/sweep.log}. A cell is the child's business: it locks, skips, resumes (see {@link CellRun}).
 * When this process is asked to stop (Ctrl-C, SIGTERM) its children and their descendants stop too;
 * their cells resume on the next sweep. On the GPU, each worker sees one device ({@link WorkerDevices}).
 */
public final class LocalWorkers {
  /** The per-cell log, inside the cell's run directory. */
  public static final String LOG = "sweep.log";

  /** How a cell ended. */
  public enum Status { FINISHED, BUSY, FAILED }

  /** One cell's outcome: its status, the child's exit code and its log. */
  public record Result(GridCell cell, Status status, int exitCode, Path log, Duration time) {}

  /** Hears about cells as they start and end; called from worker threads, one call at a time. */
  public interface Listener {
    void started(GridCell cell);

    void ended(Result result);
  }

  private final int workers;
  private final CellCommand command;
  private final WorkerDevices devices;
  private final Set<Process> running = ConcurrentHashMap.newKeySet();

  /** Workers on the CPU: their environment is this process's. */
  public LocalWorkers(int workers, CellCommand command) {
    this(workers, command, WorkerDevices.NONE);
  }

  /** Workers that each see one of {@code devices} ({@link WorkerDevices#NONE}: as on the CPU). */
  public LocalWorkers(int workers, CellCommand command, WorkerDevices devices) {
    if (workers < 1) {
      throw new TfewException("--workers " + workers + ": give at least 1");
    }
    this.workers = workers;
    this.command = command;
    this.devices = devices;
  }

  /** Runs {@code cells} and returns their results in the cells' order. */
  public List<Result> run(List<GridCell> cells, Listener listener) {
    Thread stopChildren = new Thread(this::destroyChildren, "tfew-sweep-stop-children");
    Runtime.getRuntime().addShutdownHook(stopChildren);
    ExecutorService pool = Executors.newFixedThreadPool(workers, r -> {
      Thread t = new Thread(r, "tfew-sweep-worker");
      t.setDaemon(true);
      return t;
    });
    Object calls = new Object();
    // A worker is a slot, not a pool thread (a thread may be handed any queued cell): a cell holds a free slot
    // while it runs, so slot i runs one cell at a time, always on device i mod n.
    BlockingQueue<Integer> slots = new ArrayBlockingQueue<>(workers);
    for (int i = 0; i < workers; i++) {
      slots.add(i);
    }
    try {
      List<Future<Result>> futures = new ArrayList<>();
      for (GridCell cell : cells) {
        futures.add(pool.submit(() -> {
          synchronized (calls) {
            listener.started(cell);
          }
          int slot = slots.take();
          Result r;
          try {
            r = runOne(cell, slot);
          } finally {
            slots.add(slot);
          }
          synchronized (calls) {
            listener.ended(r);
          }
          return r;
        }));
      }
      List<Result> results = new ArrayList<>();
      for (Future<Result> f : futures) {
        results.add(f.get());
      }
      return Collections.unmodifiableList(results);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TfewException("sweep interrupted");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(e.getCause());
    } finally {
      pool.shutdownNow();
      destroyChildren();
      try {
        Runtime.getRuntime().removeShutdownHook(stopChildren);
      } catch (IllegalStateException e) {
        // already shutting down: the hook is running or has run
      }
    }
  }

  /** The child process of {@code cell} on worker {@code slot}, its output appended to the cell's log. */
  ProcessBuilder processFor(GridCell cell, int slot) {
    ProcessBuilder pb = new ProcessBuilder(command.forCell(cell.index())).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(cell.dir().resolve(LOG).toFile()));
    devices.forWorker(slot).ifPresent(device -> pb.environment().put(WorkerDevices.VARIABLE, device));
    return pb;
  }

  private Result runOne(GridCell cell, int slot) throws IOException, InterruptedException {
    Files.createDirectories(cell.dir());
    Path log = cell.dir().resolve(LOG);
    long start = System.nanoTime();
    Process p = processFor(cell, slot).start();
    running.add(p);
    try {
      p.getOutputStream().close();
      int code = p.waitFor();
      Status status = code == 0 ? Status.FINISHED : code == CellRun.BUSY ? Status.BUSY : Status.FAILED;
      return new Result(cell, status, code, log, Duration.ofNanos(System.nanoTime() - start));
    } finally {
      running.remove(p);
    }
  }

  private void destroyChildren() {
    for (Process p : running) {
      p.descendants().forEach(ProcessHandle::destroy);
      p.destroy();
    }
  }
}
