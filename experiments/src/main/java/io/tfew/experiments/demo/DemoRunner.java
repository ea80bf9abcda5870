package io.tfew.experiments.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tfew.api.TfewException;
import io.tfew.core.plugin.PluginRegistry;
import io.tfew.experiments.config.ConfigLoader;
import io.tfew.experiments.config.ExperimentConfig;
import io.tfew.experiments.run.ExperimentRunner;
import io.tfew.experiments.run.ExperimentSession;
import io.tfew.experiments.run.RunData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs the cells of a demo grid in this process: each is an ordinary run directory (config, provenance,
 * metrics, predictions, adapter) under the output directory, so {@code tfew train --from} repeats any of
 * them. A method's graph is built and its checkpoint loaded once ({@link ExperimentSession}) and then serves
 * all of that method's cells; {@code workers} methods run side by side, each on its own thread. Rendered
 * and tokenized data is shared between methods.
 */
public final class DemoRunner {
  /** What one cell produced: its run directory, accuracy per evaluated template, and parameter counts. */
  public record CellResult(DemoCell cell, Path dir, Map<String, Double> accuracyByTemplate, long trainable,
      long baseParameters) {}

  /** Hears about progress, from every worker thread. */
  public interface Listener {
    /** A worker starts {@code cell} (for a method's first cell, before its graph is built). */
    void started(int worker, DemoCell cell);

    /** Training steps done since the last call, by any worker. */
    void trained(long steps);

    void finished(int worker, CellResult result);
  }

  private final ExperimentRunner runner;
  private final PluginRegistry registry;

  public DemoRunner(ExperimentRunner runner, PluginRegistry registry) {
    this.runner = runner;
    this.registry = registry;
  }

  /**
   * Runs {@code cells}, grouped by method, and returns their results in the order given.
   *
   * @param sets {@code --set} overrides applied to every cell after its own (e.g. {@code model=DIR})
   * @param steps training steps per cell; 0: the recipe's
   */
  public List<CellResult> run(List<DemoCell> cells, List<String> sets, int steps, Path out, int workers,
      Listener listener) {
    Map<String, List<DemoCell>> byMethod = new LinkedHashMap<>();
    cells.forEach(c -> byMethod.computeIfAbsent(c.method(), m -> new ArrayList<>()).add(c));
    ConcurrentLinkedQueue<List<DemoCell>> queue = new ConcurrentLinkedQueue<>(byMethod.values());
    Map<DemoCell, CellResult> results = new ConcurrentHashMap<>();
    Map<List<Object>, RunData> data = new ConcurrentHashMap<>();
    ExperimentSession.DataLoader cached = (config, paths, tokenizer) -> data.computeIfAbsent(dataKey(config),
        k -> RunData.load(config, paths, tokenizer));
    ExecutorService pool = Executors.newFixedThreadPool(workers, r -> {
      Thread t = new Thread(r, "tfew-demo-worker");
      t.setDaemon(true);
      return t;
    });
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int w = 0; w < workers; w++) {
        int worker = w;
        futures.add(pool.submit(() -> {
          for (List<DemoCell> group = queue.poll(); group != null; group = queue.poll()) {
            runGroup(worker, group, sets, steps, out, cached, listener, results);
          }
          return null;
        }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    } catch (ExecutionException e) {
      queue.clear();
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TfewException("tfew demo: interrupted");
    } finally {
      pool.shutdownNow();
    }
    List<CellResult> ordered = new ArrayList<>();
    cells.forEach(c -> ordered.add(results.get(c)));
    return Collections.unmodifiableList(ordered);
  }

  private void runGroup(int worker, List<DemoCell> group, List<String> sets, int steps, Path out,
      ExperimentSession.DataLoader data, Listener listener, Map<DemoCell, CellResult> results) {
    List<ExperimentConfig> configs = new ArrayList<>();
    for (DemoCell cell : group) {
      List<String> overrides = new ArrayList<>(cell.overrides(steps));
      overrides.addAll(sets);
      configs.add(ExperimentConfig.from(new ConfigLoader().load(cell.recipe(), overrides), registry));
    }
    StepCounter progress = new StepCounter(listener);
    listener.started(worker, group.get(0));
    try (ExperimentSession session = runner.open(configs.get(0), data, progress)) {
      for (int i = 0; i < group.size(); i++) {
        DemoCell cell = group.get(i);
        if (i > 0) {
          listener.started(worker, cell);
        }
        Path dir = out.resolve(cell.name());
        ExperimentRunner.Outcome outcome = session.run(configs.get(i), dir, false,
            "tfew demo (cell " + cell.name() + ")", progress);
        CellResult result = new CellResult(cell, dir, templateAccuracies(dir, cell), outcome.trainableParameters(),
            session.baseParameters());
        results.put(cell, result);
        listener.finished(worker, result);
      }
    }
  }

  /** Cells that read the same files (the demo gives absolute paths) share their rendered, tokenized data. */
  private static List<Object> dataKey(ExperimentConfig c) {
    return List.of(c.data(), c.maxSeqLen());
  }

  /** The accuracy of every template of the cell's last evaluation, from its {@code metrics.jsonl}. */
  static Map<String, Double> templateAccuracies(Path dir, DemoCell cell) {
    String phase = "final";
    Map<String, Double> byTemplate = new LinkedHashMap<>();
    ObjectMapper json = new ObjectMapper();
    try {
      for (String line : Files.readAllLines(dir.resolve("metrics.jsonl"))) {
        JsonNode row = json.readTree(line);
        if (row.path("phase").asText().equals(phase) && !row.path("template").asText().equals("median")
            && row.has("accuracy")) {
          byTemplate.put(row.get("template").asText(), row.get("accuracy").asDouble());
        }
      }
    } catch (IOException e) {
      throw new TfewException(dir.resolve("metrics.jsonl") + ": cannot read (" + e.getMessage() + ")");
    }
    if (byTemplate.isEmpty()) {
      throw new TfewException(dir.resolve("metrics.jsonl") + ": no " + phase + " accuracy; does the recipe "
          + "evaluate with the accuracy metric?");
    }
    return byTemplate;
  }

  /** Turns a run's training progress into step counts for the listener. */
  private static final class StepCounter implements ExperimentRunner.Progress {
    private final Listener listener;
    private boolean training;
    private long last;

    StepCounter(Listener listener) {
      this.listener = listener;
    }

    @Override
    public void phase(String name, long total) {
      training = name.equals("train");
      last = 0;
    }

    @Override
    public void advance(long done, String detail) {
      if (training) {
        listener.trained(done - last);
        last = done;
      }
    }

    @Override
    public void done() {
      training = false;
    }
  }
}
