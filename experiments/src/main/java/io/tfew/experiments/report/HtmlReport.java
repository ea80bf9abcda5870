package io.tfew.experiments.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tfew.api.TfewException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The report as one HTML file that works offline: the tables, and charts drawn by Apache ECharts, whose
 * script is inlined from the {@code org.webjars.npm:echarts} jar. The charts are T-Few's Figure 2
 * (mean of medians against the percentage of parameters trained, log x-axis), one bar chart per dataset
 * with interquartile-range error bars, and the training loss of every counted run.
 *
 * <p>The data sits in the page as JSON ({@code <script type="application/json" id="report-data">}), and
 * {@code report.js} beside this class draws from it with ECharts' SVG renderer.
 */
public final class HtmlReport {
  static final String ECHARTS_VERSION = "5.3.1";
  private static final String ECHARTS = "META-INF/resources/webjars/echarts/" + ECHARTS_VERSION + "/dist/echarts.min.js";
  private static final Pattern SLOT = Pattern.compile("@@([A-Z_]+)@@");

  private HtmlReport() {}

  public static String render(ResultsTable table, List<RunResult> runs, String metric) {
    Map<String, String> slots = new LinkedHashMap<>();
    slots.put("TITLE", escape("tfew report: " + metric));
    slots.put("BODY", body(table, runs, metric));
    slots.put("DATA", json(data(table, runs, metric)));
    slots.put("ECHARTS_VERSION", ECHARTS_VERSION);
    slots.put("ECHARTS", script(ECHARTS, "the ECharts webjar (org.webjars.npm:echarts:" + ECHARTS_VERSION + ")"));
    slots.put("SCRIPT", script("io/tfew/experiments/report/report.js", "experiments"));
    // One pass over the template, so text put into a slot is never read as a slot itself.
    Matcher m = SLOT.matcher(script("io/tfew/experiments/report/report.html", "experiments"));
    StringBuilder html = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(html, Matcher.quoteReplacement(slots.get(m.group(1))));
    }
    m.appendTail(html);
    return html.toString();
  }

  private static String body(ResultsTable table, List<RunResult> runs, String metric) {
    StringBuilder b = new StringBuilder();
    long counted = runs.stream().filter(RunResult::counted).count();
    b.append("<h1>").append(escape("tfew report: " + metric)).append("</h1>\n");
    b.append("<p class=\"note\">").append(counted).append(" of ").append(runs.size()).append(" runs counted. ")
        .append("Each cell is the median (IQR) of the final ").append(escape(metric))
        .append(" x 100 over every prompt template of every seed; the last column is the mean of the row's medians.</p>\n");
    if (!table.rows().isEmpty()) {
      TableText text = TableText.of(table);
      htmlTable(b, text.header(), text.rows());
      text.notes().forEach(n -> b.append("<p class=\"note\">").append(escape(n)).append("</p>\n"));
      b.append("<div class=\"chart\" id=\"chart-params\"></div>\n");
      b.append("<h2>Per dataset (bars: median; whiskers: Q1 to Q3)</h2>\n<div class=\"datasets\">\n");
      for (int i = 0; i < table.datasets().size(); i++) {
        b.append("<div class=\"chart\" id=\"chart-dataset-").append(i).append("\" data-dataset=\"")
            .append(escape(table.datasets().get(i))).append("\"></div>\n");
      }
      b.append("</div>\n");
      if (runs.stream().anyMatch(r -> r.counted() && !r.loss().isEmpty())) {
        b.append("<div class=\"chart\" id=\"chart-loss\"></div>\n");
      }
    } else {
      b.append("<p>No finished run with a final '").append(escape(metric)).append("' was found.</p>\n");
    }
    List<RunResult> left = runs.stream().filter(r -> !r.counted()).toList();
    if (!left.isEmpty()) {
      b.append("<h2>Runs not counted</h2>\n");
      htmlTable(b, List.of("run", "dataset", "method", "state", "why"), left.stream()
          .map(r -> List.of(r.dir().toString(), r.dataset(), r.method(), r.state().name().toLowerCase(Locale.ROOT),
              r.detail()))
          .toList());
    }
    return b.toString();
  }

  private static Map<String, Object> data(ResultsTable table, List<RunResult> runs, String metric) {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("metric", metric);
    data.put("datasets", table.datasets());
    List<Map<String, Object>> methods = new ArrayList<>();
    for (ResultsTable.Row row : table.rows()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("method", row.method());
      m.put("trainable", row.trainable().size() == 1 ? row.trainable().get(0) : null);
      m.put("percent", row.percent().isPresent() && row.trainable().size() == 1 ? row.percent().getAsDouble() : null);
      m.put("meanOfMedians", row.meanOfMedians());
      Map<String, Object> cells = new LinkedHashMap<>();
      row.cells().forEach((d, c) -> cells.put(d, Map.of("median", c.summary().median(), "q1", c.summary().q1(),
          "q3", c.summary().q3(), "runs", c.runs(), "values", c.values())));
      m.put("cells", cells);
      methods.add(m);
    }
    data.put("methods", methods);
    boolean severalModels = runs.stream().filter(RunResult::counted).map(RunResult::model).distinct().count() > 1;
    List<Map<String, Object>> curves = new ArrayList<>();
    for (RunResult r : runs) {
      if (r.counted() && !r.loss().isEmpty()) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("label", r.dataset() + " / " + ResultsTable.rowName(r, severalModels)
            + (r.seed().isPresent() ? " / seed " + r.seed().getAsLong() : "") + " (" + r.dir() + ")");
        c.put("points", r.loss().stream().map(p -> List.of(p.step(), p.loss())).toList());
        curves.add(c);
      }
    }
    data.put("curves", curves);
    return data;
  }

  private static void htmlTable(StringBuilder b, List<String> header, List<List<String>> rows) {
    b.append("<table>\n<tr>");
    header.forEach(h -> b.append("<th>").append(escape(h)).append("</th>"));
    b.append("</tr>\n");
    for (List<String> row : rows) {
      b.append("<tr>");
      row.forEach(c -> b.append("<td>").append(escape(c)).append("</td>"));
      b.append("</tr>\n");
    }
    b.append("</table>\n");
  }

  /** JSON safe inside a script element: no '<' can end the element or open a comment. */
  private static String json(Object value) {
    try {
      return new ObjectMapper().writeValueAsString(value).replace("<", "\\u003c");
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("report data is not serialisable", e);
    }
  }

  private static String script(String resource, String from) {
    try (InputStream in = HtmlReport.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new TfewException(resource + " is missing from the classpath; it comes from " + from
            + ": rebuild tfew (./tfew rebuilds when the POM changed)");
      }
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      if (resource.endsWith(".js") && text.toLowerCase(Locale.ROOT).contains("</script")) {
        throw new IllegalStateException(resource + " contains '</script' and cannot be inlined");
      }
      return text;
    } catch (IOException e) {
      throw new TfewException(resource + ": cannot read (" + e.getMessage() + ")");
    }
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
