package io.tfew.experiments.report;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tfew.api.TfewException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Finds the run directories under a directory and reads what each contributes to a report.
 *
 * <p>A run directory is one holding {@code provenance.json} or {@code config.resolved.yaml}, as
 * {@code tfew train} writes them; the search does not descend into it. A run counts once its
 * provenance has a {@code finished} time and its {@code metrics.jsonl} has the final evaluation's metric
 * for each prompt template; every other run is still returned, with the reason it does not count.
 *
 * <p>A run's dataset (the report's columns) is, unless a config key is named: the {@code dataset} or
 * {@code task} axis of a {@code tfew sweep} cell (its provenance's {@code sweep.axes}); else the file it was
 * evaluated on ({@code data.eval.path}), labelled by {@link EvalDatasets}; else its config's {@code name}.
 * So the cells of {@code tfew demo} and of a sweep fall into one column per task, whatever their names.
 *
 * <pre>{@code
 * List<RunResult> runs = new RunScan("accuracy").scan(Path.of("runs"));          // columns: tasks
 * List<RunResult> byName = new RunScan("accuracy", "name").scan(Path.of("runs")); // columns: config names
 * }</pre>
 */
public final class RunScan {
  static final String PROVENANCE = "provenance.json";
  static final String CONFIG = "config.resolved.yaml";
  static final String METRICS = "metrics.jsonl";
  /** {@code train.steps} when a config leaves it out (ExperimentConfig's default). */
  private static final long DEFAULT_STEPS = 1000;

  // tfew writes a NaN metric as the bare token NaN; reading it lets the run be reported as such.
  private static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.ALLOW_NON_NUMERIC_NUMBERS);

  /** Sweep axes that name the dataset of a cell, in the order they are looked for. */
  static final List<String> DATASET_AXES = List.of("dataset", "task", "datasets", "tasks");

  private final String metric;
  private final String datasetKey;

  /**
   * Columns by task: a sweep's dataset axis, else the evaluation file, else the config's {@code name}.
   *
   * @param metric the metric of the tables, as the evaluator names it ({@code accuracy}, {@code macro_f1})
   */
  public RunScan(String metric) {
    this(metric, null);
  }

  /**
   * @param metric the metric of the tables, as the evaluator names it ({@code accuracy}, {@code macro_f1})
   * @param datasetKey the dotted config key whose value names a run's dataset; null: by task (see above)
   */
  public RunScan(String metric, String datasetKey) {
    this.metric = metric;
    this.datasetKey = datasetKey;
  }

  /** A run as read, with the evaluation file its dataset is still to be named after, if any. */
  private record Read(RunResult run, String evalFile) {}

  /** Every run directory under {@code root} (or {@code root} itself), sorted by path. */
  public List<RunResult> scan(Path root) {
    if (!Files.isDirectory(root)) {
      throw new TfewException(root + ": no such directory; give the directory that holds the runs");
    }
    List<Path> dirs = new ArrayList<>();
    collect(root, dirs);
    dirs.sort(null);
    List<Read> reads = new ArrayList<>();
    for (Path dir : dirs) {
      reads.add(read(root, dir));
    }
    // Evaluation files are named relative to each other, so the labels need every run first.
    Map<String, String> labels = EvalDatasets.labels(reads.stream().map(Read::evalFile).filter(f -> f != null)
        .toList());
    List<RunResult> runs = new ArrayList<>();
    for (Read r : reads) {
      runs.add(r.evalFile() == null ? r.run() : r.run().withDataset(labels.get(r.evalFile())));
    }
    return runs;
  }

  private static void collect(Path dir, List<Path> out) {
    if (Files.isRegularFile(dir.resolve(PROVENANCE)) || Files.isRegularFile(dir.resolve(CONFIG))) {
      out.add(dir);
      return;
    }
    try (Stream<Path> children = Files.list(dir)) {
      for (Path child : children.filter(Files::isDirectory).filter(p -> !Files.isSymbolicLink(p)).toList()) {
        collect(child, out);
      }
    } catch (IOException e) {
      throw new TfewException(dir + ": cannot list the directory (" + e.getMessage() + ")");
    }
  }

  private Read read(Path root, Path dir) {
    Path relative = root.relativize(dir);
    Path name = relative.toString().isEmpty() ? dir.getFileName() : relative;
    JsonNode provenance;
    Map<String, Object> config;
    try {
      provenance = Files.isRegularFile(dir.resolve(PROVENANCE)) ? JSON.readTree(dir.resolve(PROVENANCE).toFile()) : null;
      config = provenance != null && provenance.path("config").isObject()
          ? JSON.convertValue(provenance.get("config"), Map.class)
          : readYaml(dir.resolve(CONFIG));
    } catch (IOException | RuntimeException e) {
      return new Read(new RunResult(name, "?", "?", "?", OptionalLong.empty(), RunResult.State.UNREADABLE,
          "cannot read " + PROVENANCE + " or " + CONFIG + ": " + e.getMessage(), List.of(), OptionalLong.empty(),
          OptionalLong.empty(), List.of()), null);
    }
    String evalFile = null;
    String dataset;
    if (datasetKey != null) {
      dataset = text(lookup(config, datasetKey));
    } else {
      dataset = sweepDataset(provenance);
      if (dataset.isEmpty()) {
        evalFile = text(lookup(config, "data.eval.path"));
        evalFile = evalFile.isEmpty() ? null : evalFile;
        dataset = text(config.get("name"));
      }
    }
    if (dataset.isEmpty()) {
      dataset = dir.getFileName().toString();
    }
    return new Read(read(dir, name, provenance, config, dataset), evalFile);
  }

  private static String sweepDataset(JsonNode provenance) {
    JsonNode axes = provenance == null ? null : provenance.path("sweep").path("axes");
    if (axes != null && axes.isObject()) {
      for (String axis : DATASET_AXES) {
        if (axes.path(axis).isValueNode()) {
          return axes.get(axis).asText();
        }
      }
    }
    return "";
  }

  private RunResult read(Path dir, Path name, JsonNode provenance, Map<String, Object> config, String dataset) {
    String method = method(config);
    String model = text(config.get("model"));
    OptionalLong seed = provenance != null && provenance.path("seed").canConvertToLong()
        ? OptionalLong.of(provenance.get("seed").asLong())
        : number(config.get("seed"));
    boolean zeroShot = method.equals(ResultsTable.ZERO_SHOT);
    OptionalLong trainable = zeroShot ? OptionalLong.of(0) : longField(provenance, "trainable_parameters");
    OptionalLong base = longField(provenance, "base_parameters");

    if (provenance == null || !provenance.hasNonNull("finished")) {
      return new RunResult(name, dataset, method, model, seed, RunResult.State.UNFINISHED,
          provenance == null ? "no " + PROVENANCE + " yet" : "no 'finished' time in " + PROVENANCE,
          List.of(), trainable, base, List.of());
    }
    List<Double> values = new ArrayList<>();
    List<RunResult.LossPoint> loss = new ArrayList<>();
    List<String> otherMetrics = new ArrayList<>();
    try {
      readMetrics(dir.resolve(METRICS), values, loss, otherMetrics);
    } catch (IOException | RuntimeException e) {
      return new RunResult(name, dataset, method, model, seed, RunResult.State.UNREADABLE,
          "cannot read " + METRICS + ": " + e.getMessage(), List.of(), trainable, base, List.of());
    }
    if (values.isEmpty()) {
      // A metrics file without per-template rows: fall back on the median the provenance records.
      JsonNode summary = provenance.path("evaluations").path("final").path(metric);
      if (summary.isNumber()) {
        values.add(summary.asDouble());
      }
    }
    RunResult.State state = RunResult.State.COUNTED;
    String detail = "";
    if (values.isEmpty()) {
      state = RunResult.State.NO_METRIC;
      detail = "no final '" + metric + "'" + (otherMetrics.isEmpty() ? " (no final evaluation)"
          : "; it has " + String.join(", ", otherMetrics));
    } else if (values.stream().anyMatch(v -> !Double.isFinite(v))) {
      state = RunResult.State.NO_METRIC;
      detail = "final '" + metric + "' is not a number for some template: " + values;
    }
    return new RunResult(name, dataset, method, model, seed, state, detail, values, trainable, base, loss);
  }

  private void readMetrics(Path file, List<Double> values, List<RunResult.LossPoint> loss, List<String> others)
      throws IOException {
    if (!Files.isRegularFile(file)) {
      return;
    }
    int line = 0;
    for (String text : Files.readAllLines(file)) {
      line++;
      if (text.isBlank()) {
        continue;
      }
      JsonNode row;
      try {
        row = JSON.readTree(text);
      } catch (JsonProcessingException e) {
        throw new IOException("line " + line + " is not JSON (" + e.getOriginalMessage() + ")", e);
      }
      String phase = row.path("phase").asText();
      if (phase.equals("train") && row.path("loss").isNumber() && Double.isFinite(row.get("loss").asDouble())) {
        loss.add(new RunResult.LossPoint(row.path("step").asLong(), row.get("loss").asDouble()));
      } else if (phase.equals("final") && !row.path("template").asText().equals("median")) {
        if (row.path(metric).isNumber()) {
          values.add(row.get(metric).asDouble());
        } else {
          for (Iterator<String> it = row.fieldNames(); it.hasNext();) {
            String f = it.next();
            if (row.get(f).isNumber() && !List.of("step", "examples").contains(f) && !others.contains(f)) {
              others.add(f);
            }
          }
        }
      }
    }
  }

  /** T-Few's method names: the PEFT methods in config order, or zero-shot when nothing is trained. */
  private static String method(Map<String, Object> config) {
    List<String> names = new ArrayList<>();
    if (config.get("peft") instanceof List<?> list) {
      for (Object entry : list) {
        if (entry instanceof Map<?, ?> m && m.get("method") != null) {
          names.add(m.get("method").toString());
        }
      }
    }
    long steps = number(lookup(config, "train.steps")).orElse(DEFAULT_STEPS);
    return names.isEmpty() || steps == 0 ? ResultsTable.ZERO_SHOT : String.join("+", names);
  }

  private static Object lookup(Map<String, Object> tree, String dotted) {
    Object node = tree;
    for (String part : dotted.split("\\.")) {
      if (!(node instanceof Map<?, ?> m)) {
        return null;
      }
      node = m.get(part);
    }
    return node;
  }

  private static String text(Object value) {
    return value == null ? "" : value.toString();
  }

  private static OptionalLong number(Object value) {
    if (value instanceof Number n) {
      return OptionalLong.of(n.longValue());
    }
    try {
      return value == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(value.toString().trim()));
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  private static OptionalLong longField(JsonNode node, String field) {
    return node != null && node.path(field).canConvertToLong() && node.get(field).isIntegralNumber()
        ? OptionalLong.of(node.get(field).asLong())
        : OptionalLong.empty();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> readYaml(Path file) throws IOException {
    Object tree = new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(file));
    if (!(tree instanceof Map<?, ?>)) {
      throw new IOException(file.getFileName() + " is not a YAML mapping");
    }
    return (Map<String, Object>) tree;
  }
}
