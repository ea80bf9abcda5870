package io.tfew.experiments.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes run directories shaped like {@code tfew train}'s output (config.resolved.yaml, provenance.json,
 * metrics.jsonl with train rows, per-template final rows and the median row, predictions/), with the
 * values a test chooses.
 */
final class SyntheticRuns {
  static final long BASE = 64_000;

  private static final ObjectMapper JSON = new ObjectMapper();

  private SyntheticRuns() {}

  /** A finished run of {@code methods} (none: zero-shot) with one final accuracy per template. */
  static Path finished(Path dir, String dataset, List<String> methods, int seed, long trainable, double... accuracy)
      throws IOException {
    return write(dir, dataset, methods, seed, trainable, true, "accuracy", accuracy);
  }

  static Path write(Path dir, String dataset, List<String> methods, int seed, long trainable, boolean finished,
      String metric, double... values) throws IOException {
    return write(dir, dataset, null, Map.of(), methods, seed, trainable, finished, metric, values);
  }

  /**
   * A run named {@code name}, evaluated on {@code evalPath} (none: null), with the provenance's
   * {@code sweep.axes} {@code axes} (none: empty).
   */
  static Path write(Path dir, String name, String evalPath, Map<String, String> axes, List<String> methods, int seed,
      long trainable, boolean finished, String metric, double... values) throws IOException {
    String dataset = name;
    Files.createDirectories(dir.resolve("predictions"));
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("name", dataset);
    if (evalPath != null) {
      config.put("data", Map.of("eval", Map.of("format", "fewshot-jsonl", "path", evalPath)));
    }
    config.put("seed", seed);
    config.put("model", "models/tiny");
    List<Map<String, Object>> peft = new ArrayList<>();
    methods.forEach(m -> peft.add(Map.of("method", m)));
    config.put("peft", peft);
    config.put("train", Map.of("steps", 3, "lr", 0.3));
    config.put("eval", Map.of("metrics", List.of(metric)));
    StringBuilder yaml = new StringBuilder("name: " + dataset + "\nseed: " + seed + "\nmodel: models/tiny\npeft:\n");
    methods.forEach(m -> yaml.append("  - method: ").append(m).append('\n'));
    yaml.append("train:\n  steps: 3\n");
    Files.writeString(dir.resolve("config.resolved.yaml"), yaml.toString());

    Map<String, Object> provenance = new LinkedHashMap<>();
    provenance.put("tfew_version", "0.1.0-SNAPSHOT");
    provenance.put("command", "tfew train synthetic.yaml");
    provenance.put("started", "2026-11-23T10:00:00Z");
    provenance.put("seed", seed);
    provenance.put("config", config);
    provenance.put("trainable_parameters", trainable);
    provenance.put("base_parameters", BASE);
    if (!axes.isEmpty()) {
      provenance.put("sweep", Map.of("grid", "grid.yaml", "cell", dir.getFileName().toString(), "axes", axes));
    }
    if (finished) {
      provenance.put("finished", "2026-11-23T10:05:00Z");
    }
    JSON.writeValue(dir.resolve("provenance.json").toFile(), provenance);
    if (!finished) {
      return dir;
    }
    List<Map<String, Object>> rows = new ArrayList<>();
    for (int step = 1; step <= 3; step++) {
      rows.add(row("phase", "train", "step", step, "loss", 3.0 / step + seed, "grad_norm", 1.0, "lr", 0.3));
    }
    for (int t = 0; t < values.length; t++) {
      rows.add(row("phase", "final", "step", 3, "template", "template " + t, "examples", 10, metric, values[t]));
      Files.writeString(dir.resolve("predictions/final-template_" + t + ".jsonl"), "");
    }
    rows.add(row("phase", "final", "step", 3, "template", "median", metric, 0.0));
    StringBuilder jsonl = new StringBuilder();
    for (Map<String, Object> r : rows) {
      jsonl.append(JSON.writeValueAsString(r)).append('\n');
    }
    Files.writeString(dir.resolve("metrics.jsonl"), jsonl.toString());
    return dir;
  }

  private static Map<String, Object> row(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }

  /**
   * The runs of {@code tfew demo --out}: {@code zero_shot/<task>} and {@code <method>/<task>/seed<k>},
   * each named after its cell ({@code ia3-rating-seed0}) and evaluated on {@code tasks/<task>/test.jsonl}.
   * Accuracy of (method m, task t, seed k, template j) is {@code 0.5 + 0.08 m + 0.02 t + 0.01 k + 0.001 j}
   * with m = 0 for zero-shot.
   */
  static void demoSet(Path root, List<String> methods, List<String> tasks, int seeds) throws IOException {
    Path tasksDir = Path.of("/home/someone/tfew/experiments/mini-t0/tasks");
    for (int t = 0; t < tasks.size(); t++) {
      String task = tasks.get(t);
      String eval = tasksDir.resolve(task).resolve("test.jsonl").toString();
      write(root.resolve("zero_shot").resolve(task), "zero_shot-" + task, eval, Map.of(), List.of(), 0, 0, true,
          "accuracy", templates(0.5 + 0.02 * t));
      for (int m = 0; m < methods.size(); m++) {
        for (int k = 0; k < seeds; k++) {
          String method = methods.get(m);
          write(root.resolve(method).resolve(task).resolve("seed" + k), method + "-" + task + "-seed" + k, eval,
              Map.of(), List.of(method), k, 100L * (m + 1), true, "accuracy",
              templates(0.5 + 0.08 * (m + 1) + 0.02 * t + 0.01 * k));
        }
      }
    }
  }

  private static double[] templates(double base) {
    return new double[] {base, base + 0.001, base + 0.002};
  }

  /**
   * The runs the aggregation tests compute by hand. Pooled per (method, dataset):
   * ia3/rte {0.5, 0.6, 0.7, 0.8, 0.9}; ia3/cb {0.1, 0.2, 0.3, 0.4}; lora/rte {0.6}; zero-shot/rte {0.4, 0.5};
   * plus one unfinished run and one finished without accuracy.
   */
  static void standardSet(Path root) throws IOException {
    finished(root.resolve("rte/ia3/seed0"), "rte", List.of("ia3"), 0, 640, 0.7, 0.8, 0.6);
    finished(root.resolve("rte/ia3/seed1"), "rte", List.of("ia3"), 1, 640, 0.9, 0.5);
    finished(root.resolve("cb/ia3/seed0"), "cb", List.of("ia3"), 0, 640, 0.1, 0.2, 0.3, 0.4);
    finished(root.resolve("rte/lora/seed0"), "rte", List.of("lora"), 0, 1280, 0.6);
    finished(root.resolve("rte/zero/seed0"), "rte", List.of(), 0, 0, 0.4, 0.5);
    write(root.resolve("cb/lora/seed0"), "cb", List.of("lora"), 0, 1280, false, "accuracy");
    write(root.resolve("cb/ia3/seed1"), "cb", List.of("ia3"), 1, 640, true, "macro_f1", 0.3);
  }
}
