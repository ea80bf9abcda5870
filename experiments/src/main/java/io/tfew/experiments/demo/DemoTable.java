package io.tfew.experiments.demo;

import io.tfew.api.eval.Aggregation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The demo's results as T-Few reports them (Liu et al. 2022, Table 1): for each method and task the
 * median accuracy over every (few-shot sample, template) pair with its interquartile range, the mean of the
 * per-task medians, and the trainable parameters in absolute terms and as a share of the base model.
 *
 * <pre>{@code
 * DemoTable table = DemoTable.of(List.of("rating", "not_like"), results);
 * System.out.print(table.text());
 * Files.writeString(Path.of("table.md"), table.markdown());
 * }</pre>
 */
public final class DemoTable {
  /** One method's row: per-task summaries (fractions, not percent), their mean, and its parameter count. */
  public record Row(String method, Map<String, Aggregation.Summary> byTask, double meanOfMedians, long trainable,
      long baseParameters, int valuesPerTask) {
    /** Trainable parameters as a percentage of the base model's. */
    public double trainablePercent() {
      return baseParameters == 0 ? 0 : 100.0 * trainable / baseParameters;
    }
  }

  private final List<String> tasks;
  private final List<Row> rows;

  private DemoTable(List<String> tasks, List<Row> rows) {
    this.tasks = List.copyOf(tasks);
    this.rows = List.copyOf(rows);
  }

  /** Aggregates cell results by method (in order of first appearance) and task. */
  public static DemoTable of(List<String> tasks, List<DemoRunner.CellResult> results) {
    Map<String, Map<String, List<Double>>> values = new LinkedHashMap<>();
    Map<String, long[]> params = new LinkedHashMap<>();
    for (DemoRunner.CellResult r : results) {
      values.computeIfAbsent(r.cell().method(), m -> new LinkedHashMap<>())
          .computeIfAbsent(r.cell().task(), t -> new ArrayList<>()).addAll(r.accuracyByTemplate().values());
      params.put(r.cell().method(), new long[] {r.trainable(), r.baseParameters()});
    }
    List<Row> rows = new ArrayList<>();
    values.forEach((method, byTask) -> {
      Map<String, Aggregation.Summary> summaries = new LinkedHashMap<>();
      Map<String, double[]> perTask = new LinkedHashMap<>();
      int n = 0;
      for (String task : tasks) {
        List<Double> v = byTask.get(task);
        if (v == null) {
          continue;
        }
        double[] a = v.stream().mapToDouble(Double::doubleValue).toArray();
        perTask.put(task, a);
        summaries.put(task, Aggregation.summarize(a));
        n = Math.max(n, a.length);
      }
      rows.add(new Row(method, summaries, Aggregation.meanOfMedians(perTask), params.get(method)[0],
          params.get(method)[1], n));
    });
    return new DemoTable(tasks, rows);
  }

  public List<Row> rows() {
    return rows;
  }

  public List<String> tasks() {
    return tasks;
  }

  /** A fixed-width table for the terminal: accuracy in percent, "median [q1-q3]". */
  public String text() {
    List<String> header = header("IQR");
    List<List<String>> body = new ArrayList<>();
    for (Row r : rows) {
      body.add(cells(r));
    }
    int[] width = new int[header.size()];
    for (List<String> line : concat(header, body)) {
      for (int i = 0; i < line.size(); i++) {
        width[i] = Math.max(width[i], line.get(i).length());
      }
    }
    StringBuilder sb = new StringBuilder();
    for (List<String> line : concat(header, body)) {
      for (int i = 0; i < line.size(); i++) {
        String cell = line.get(i);
        sb.append(i == 0 ? pad(cell, width[i], false) : "  " + pad(cell, width[i], true));
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  /** The same table in GitHub Markdown. */
  public String markdown() {
    StringBuilder sb = new StringBuilder();
    List<String> header = header("IQR");
    sb.append("| ").append(String.join(" | ", header)).append(" |\n|");
    for (int i = 0; i < header.size(); i++) {
      sb.append(i == 0 ? "---|" : "---:|");
    }
    sb.append('\n');
    for (Row r : rows) {
      sb.append("| ").append(String.join(" | ", cells(r))).append(" |\n");
    }
    return sb.toString();
  }

  /** One line per method and task, numbers as fractions: method,task,median,q1,q3,n,trainable,trainable_pct. */
  public String csv() {
    StringBuilder sb = new StringBuilder("method,task,median,q1,q3,values,trainable_parameters,trainable_percent\n");
    for (Row r : rows) {
      r.byTask().forEach((task, s) -> sb.append(String.format(Locale.ROOT, "%s,%s,%.6f,%.6f,%.6f,%d,%d,%.6f%n",
          r.method(), task, s.median(), s.q1(), s.q3(), r.valuesPerTask(), r.trainable(), r.trainablePercent())));
      sb.append(String.format(Locale.ROOT, "%s,mean_of_medians,%.6f,,,,%d,%.6f%n", r.method(), r.meanOfMedians(),
          r.trainable(), r.trainablePercent()));
    }
    return sb.toString();
  }

  private List<String> header(String spread) {
    List<String> h = new ArrayList<>(List.of("method", "trainable", "% of model"));
    tasks.forEach(t -> h.add(t + " (" + spread + ")"));
    h.add("mean");
    return h;
  }

  private List<String> cells(Row r) {
    List<String> c = new ArrayList<>();
    c.add(r.method());
    c.add(String.format(Locale.ROOT, "%,d", r.trainable()));
    c.add(String.format(Locale.ROOT, r.trainablePercent() < 1 && r.trainable() > 0 ? "%.3f%%" : "%.1f%%",
        r.trainablePercent()));
    for (String task : tasks) {
      Aggregation.Summary s = r.byTask().get(task);
      c.add(s == null ? "-" : String.format(Locale.ROOT, "%.1f [%.1f-%.1f]", 100 * s.median(), 100 * s.q1(),
          100 * s.q3()));
    }
    c.add(String.format(Locale.ROOT, "%.1f", 100 * r.meanOfMedians()));
    return c;
  }

  private static String pad(String s, int width, boolean right) {
    String fill = " ".repeat(Math.max(0, width - s.length()));
    return right ? fill + s : s + fill;
  }

  private static List<List<String>> concat(List<String> header, List<List<String>> body) {
    List<List<String>> all = new ArrayList<>();
    all.add(header);
    all.addAll(body);
    return all;
  }
}
