package io.tfew.experiments.demo;

import io.tfew.api.eval.Aggregation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * The learning rates {@code tfew demo --tune} chooses from its validation runs, by T-Few's rule: one set of
 * hyperparameters for every task, so one learning rate per method, the one with the best mean over the
 * tasks of the validation medians (median over samples x templates, as the demo's table). For comparison it
 * also names the rate each task alone would pick. Ties go to the rate listed first in the grid.
 *
 * <pre>{@code
 * LrSelection selection = LrSelection.of(grid.tasks(), results);
 * selection.chosen();          // {ia3=0.03, lora=0.01, ...}
 * System.out.print(selection.text());
 * }</pre>
 */
public final class LrSelection {
  /**
   * One learning rate of one method on the validation rows.
   *
   * @param byTask median (with IQR) per task, as fractions
   * @param meanOfMedians mean over the tasks of the medians
   */
  public record Trial(String method, double lr, Map<String, Aggregation.Summary> byTask, double meanOfMedians) {}

  private final List<String> tasks;
  private final List<Trial> trials;

  private LrSelection(List<String> tasks, List<Trial> trials) {
    this.tasks = List.copyOf(tasks);
    this.trials = List.copyOf(trials);
  }

  /** Pools each (method, learning rate, task)'s templates and samples; cells without a rate are ignored. */
  public static LrSelection of(List<String> tasks, List<DemoRunner.CellResult> results) {
    Map<String, Map<Double, Map<String, List<Double>>>> values = new LinkedHashMap<>();
    for (DemoRunner.CellResult r : results) {
      OptionalDouble lr = r.cell().lr();
      if (lr.isEmpty()) {
        continue;
      }
      values.computeIfAbsent(r.cell().method(), m -> new LinkedHashMap<>())
          .computeIfAbsent(lr.getAsDouble(), l -> new LinkedHashMap<>())
          .computeIfAbsent(r.cell().task(), t -> new ArrayList<>()).addAll(r.accuracyByTemplate().values());
    }
    List<Trial> trials = new ArrayList<>();
    values.forEach((method, byLr) -> byLr.forEach((lr, byTask) -> {
      Map<String, Aggregation.Summary> summaries = new LinkedHashMap<>();
      Map<String, double[]> arrays = new LinkedHashMap<>();
      for (String task : tasks) {
        List<Double> v = byTask.get(task);
        if (v != null) {
          double[] a = v.stream().mapToDouble(Double::doubleValue).toArray();
          arrays.put(task, a);
          summaries.put(task, Aggregation.summarize(a));
        }
      }
      trials.add(new Trial(method, lr, summaries, Aggregation.meanOfMedians(arrays)));
    }));
    return new LrSelection(tasks, trials);
  }

  public List<Trial> trials() {
    return trials;
  }

  /** Per method, the learning rate with the best mean of validation medians over all tasks. */
  public Map<String, Double> chosen() {
    Map<String, Trial> best = new LinkedHashMap<>();
    for (Trial t : trials) {
      Trial b = best.get(t.method());
      if (b == null || t.meanOfMedians() > b.meanOfMedians()) {
        best.put(t.method(), t);
      }
    }
    Map<String, Double> out = new LinkedHashMap<>();
    best.forEach((m, t) -> out.put(m, t.lr()));
    return out;
  }

  /** Per method and task, the learning rate that task alone would choose (not T-Few's rule; for comparison). */
  public Map<String, Map<String, Double>> perTask() {
    Map<String, Map<String, Trial>> best = new LinkedHashMap<>();
    for (Trial t : trials) {
      for (String task : tasks) {
        Aggregation.Summary s = t.byTask().get(task);
        if (s == null) {
          continue;
        }
        Trial b = best.computeIfAbsent(t.method(), m -> new LinkedHashMap<>()).get(task);
        if (b == null || s.median() > b.byTask().get(task).median()) {
          best.get(t.method()).put(task, t);
        }
      }
    }
    Map<String, Map<String, Double>> out = new LinkedHashMap<>();
    best.forEach((m, byTask) -> {
      Map<String, Double> lrs = new LinkedHashMap<>();
      byTask.forEach((task, t) -> lrs.put(task, t.lr()));
      out.put(m, lrs);
    });
    return out;
  }

  /** A fixed-width table: per method and rate, the validation median [IQR] per task and the mean; {@code <} marks the choice. */
  public String text() {
    List<List<String>> lines = new ArrayList<>();
    lines.add(header());
    Map<String, Double> chosen = chosen();
    for (Trial t : trials) {
      lines.add(cells(t, chosen));
    }
    int[] width = new int[lines.get(0).size()];
    for (List<String> line : lines) {
      for (int i = 0; i < line.size(); i++) {
        width[i] = Math.max(width[i], line.get(i).length());
      }
    }
    StringBuilder sb = new StringBuilder();
    for (List<String> line : lines) {
      for (int i = 0; i < line.size(); i++) {
        String fill = " ".repeat(width[i] - line.get(i).length());
        sb.append(i == 0 ? line.get(i) + fill : "  " + (i == line.size() - 1 ? line.get(i) + fill : fill + line.get(i)));
      }
      sb.setLength(sb.length() - (sb.length() > 0 && sb.charAt(sb.length() - 1) == ' ' ? trailing(sb) : 0));
      sb.append('\n');
    }
    return sb.toString();
  }

  /** The same table in GitHub Markdown. */
  public String markdown() {
    StringBuilder sb = new StringBuilder();
    List<String> header = header();
    sb.append("| ").append(String.join(" | ", header)).append(" |\n|");
    for (int i = 0; i < header.size(); i++) {
      sb.append(i < 1 || i == header.size() - 1 ? "---|" : "---:|");
    }
    sb.append('\n');
    Map<String, Double> chosen = chosen();
    for (Trial t : trials) {
      sb.append("| ").append(String.join(" | ", cells(t, chosen))).append(" |\n");
    }
    return sb.toString();
  }

  /** One line per method, rate and task, fractions: method,lr,task,median,q1,q3,chosen. */
  public String csv() {
    StringBuilder sb = new StringBuilder("method,lr,task,median,q1,q3,chosen\n");
    Map<String, Double> chosen = chosen();
    for (Trial t : trials) {
      boolean c = chosen.get(t.method()) == t.lr();
      t.byTask().forEach((task, s) -> sb.append(String.format(Locale.ROOT, "%s,%s,%s,%.6f,%.6f,%.6f,%b%n",
          t.method(), DemoCell.lrText(t.lr()), task, s.median(), s.q1(), s.q3(), c)));
      sb.append(String.format(Locale.ROOT, "%s,%s,mean_of_medians,%.6f,,,%b%n", t.method(), DemoCell.lrText(t.lr()),
          t.meanOfMedians(), c));
    }
    return sb.toString();
  }

  private List<String> header() {
    List<String> h = new ArrayList<>(List.of("method", "lr"));
    tasks.forEach(t -> h.add(t + " (IQR)"));
    h.add("mean");
    h.add("chosen");
    return h;
  }

  private List<String> cells(Trial t, Map<String, Double> chosen) {
    List<String> c = new ArrayList<>(List.of(t.method(), DemoCell.lrText(t.lr())));
    for (String task : tasks) {
      Aggregation.Summary s = t.byTask().get(task);
      c.add(s == null ? "-" : String.format(Locale.ROOT, "%.1f [%.1f-%.1f]", 100 * s.median(), 100 * s.q1(),
          100 * s.q3()));
    }
    c.add(String.format(Locale.ROOT, "%.1f", 100 * t.meanOfMedians()));
    c.add(chosen.get(t.method()) == t.lr() ? "<" : "");
    return c;
  }

  private static int trailing(StringBuilder sb) {
    int n = 0;
    while (n < sb.length() && sb.charAt(sb.length() - 1 - n) == ' ') {
      n++;
    }
    return n;
  }
}
