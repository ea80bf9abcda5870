package io.tfew.experiments.report;

import io.tfew.api.eval.Aggregation;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * T-Few's results table: one row per method, one column per dataset.
 *
 * <p>A cell pools the final metric of every prompt template of every counted run (seed) of that method
 * on that dataset, and gives the median and interquartile range of the pool, with numpy's linear
 * percentiles ({@link Aggregation}). Liu et al. (2022) report the median over templates and few-shot
 * samples with its IQR; pooling templates and seeds gives each (template, seed) pair one vote, so a
 * run with more templates weighs more, as in the paper. The row's headline is the mean over its
 * datasets of the cell medians.
 *
 * <pre>{@code
 * ResultsTable table = ResultsTable.of(new RunScan("accuracy", "name").scan(dir));
 * table.rows().forEach(r -> System.out.println(r.method() + " " + r.meanOfMedians()));
 * }</pre>
 */
public final class ResultsTable {
  /** The method of runs that train nothing. */
  public static final String ZERO_SHOT = "zero-shot";

  /**
   * One dataset of one method.
   *
   * @param summary median, Q1 and Q3 of the pooled values
   * @param values how many values were pooled (templates times runs)
   * @param runs how many runs contributed
   */
  public record Cell(Aggregation.Summary summary, int values, int runs) {}

  /**
   * One method.
   *
   * @param method the method, with {@code @ model} when the report covers several base models
   * @param cells by dataset; datasets without a counted run are absent
   * @param trainable the distinct trainable parameter counts of the row's runs (one, unless they differ)
   * @param percent trainable parameters as a percentage of the base model's, when the runs recorded both
   *     and they agree
   * @param meanOfMedians mean over the row's datasets of the cell medians
   */
  public record Row(String method, Map<String, Cell> cells, List<Long> trainable, OptionalDouble percent,
      double meanOfMedians) {
    /** Whether the row has a cell for every dataset of the table. */
    public boolean covers(List<String> datasets) {
      return cells.keySet().containsAll(datasets);
    }
  }

  private final List<String> datasets;
  private final List<Row> rows;

  private ResultsTable(List<String> datasets, List<Row> rows) {
    this.datasets = List.copyOf(datasets);
    this.rows = List.copyOf(rows);
  }

  /** Datasets in name order. */
  public List<String> datasets() {
    return datasets;
  }

  /** Rows by trainable parameters (zero-shot first), then by name. */
  public List<Row> rows() {
    return rows;
  }

  /** The table of the counted runs among {@code runs}; the others are ignored. */
  public static ResultsTable of(List<RunResult> runs) {
    List<RunResult> counted = runs.stream().filter(RunResult::counted).toList();
    boolean severalModels = counted.stream().map(RunResult::model).distinct().count() > 1;
    Map<String, List<RunResult>> byRow = new TreeMap<>();
    for (RunResult run : counted) {
      byRow.computeIfAbsent(rowName(run, severalModels), k -> new ArrayList<>()).add(run);
    }
    TreeSet<String> datasets = new TreeSet<>();
    counted.forEach(r -> datasets.add(r.dataset()));

    List<Row> rows = new ArrayList<>();
    for (Map.Entry<String, List<RunResult>> e : byRow.entrySet()) {
      Map<String, List<RunResult>> byDataset = e.getValue().stream()
          .collect(Collectors.groupingBy(RunResult::dataset, TreeMap::new, Collectors.toList()));
      Map<String, Cell> cells = new LinkedHashMap<>();
      double sum = 0;
      for (Map.Entry<String, List<RunResult>> d : byDataset.entrySet()) {
        double[] pooled = d.getValue().stream().flatMap(r -> r.values().stream()).mapToDouble(Double::doubleValue)
            .toArray();
        Cell cell = new Cell(Aggregation.summarize(pooled), pooled.length, d.getValue().size());
        cells.put(d.getKey(), cell);
        sum += cell.summary().median();
      }
      List<Long> trainable = e.getValue().stream().map(RunResult::trainable).filter(OptionalLong::isPresent)
          .map(OptionalLong::getAsLong).distinct().sorted().toList();
      rows.add(new Row(e.getKey(), cells, trainable, percent(e.getValue()), sum / cells.size()));
    }
    rows.sort(Comparator.comparingLong((Row r) -> r.trainable().isEmpty() ? Long.MAX_VALUE : r.trainable().get(0))
        .thenComparing(Row::method));
    return new ResultsTable(new ArrayList<>(datasets), rows);
  }

  /** The row a run belongs to. */
  public static String rowName(RunResult run, boolean severalModels) {
    return severalModels ? run.method() + " @ " + run.model() : run.method();
  }

  private static OptionalDouble percent(List<RunResult> runs) {
    List<Double> shares = new ArrayList<>();
    for (RunResult r : runs) {
      if (r.trainable().isEmpty() || r.baseParameters().isEmpty() || r.baseParameters().getAsLong() <= 0) {
        return OptionalDouble.empty();
      }
      shares.add(100.0 * r.trainable().getAsLong() / r.baseParameters().getAsLong());
    }
    return shares.stream().distinct().count() == 1 ? OptionalDouble.of(shares.get(0)) : OptionalDouble.empty();
  }
}
