package io.tfew.experiments.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Opens report.html in headless Chromium and checks that every chart container holds an SVG drawing
 * and that the page's script finished without an error. Skipped, saying so, where no Chromium is
 * installed ({@code apt-get install chromium} provides it on Debian).
 */
class ReportBrowserTest {
  private static final List<String> BROWSERS = List.of("chromium", "chromium-browser", "google-chrome");

  @TempDir
  Path root;

  @Test
  void everyChartRendersAsSvgWithoutAScriptError() throws Exception {
    Optional<Path> browser = findBrowser();
    Assumptions.assumeTrue(browser.isPresent(),
        "no chromium, chromium-browser or google-chrome on PATH: skipping the browser check of report.html");
    SyntheticRuns.standardSet(root.resolve("runs"));
    Path html = ReportFiles.write(root.resolve("out"), new RunScan("accuracy", "name").scan(root.resolve("runs")),
        "accuracy").get(ReportFiles.HTML);

    String dom = dumpDom(browser.get(), html);

    // The page script marks <body> when it is done, or with the message of the error that stopped it.
    Matcher body = Pattern.compile("<body[^>]*>").matcher(dom);
    assertThat(body.find()).as("a <body> in the dumped DOM").isTrue();
    assertThat(body.group()).doesNotContain("data-error=").contains("data-rendered=\"true\"");
    List<String> ids = List.of("chart-params", "chart-dataset-0", "chart-dataset-1", "chart-loss");
    for (String id : ids) {
      String chart = container(dom, id);
      assertThat(chart).as(id).contains("<svg");
      assertThat(Pattern.compile("<path ").matcher(chart).results().count()).as(id + " paths").isGreaterThan(2);
    }
    // The figure's labels are drawn: method names in the scatter, dataset titles on the bar charts.
    assertThat(container(dom, "chart-params")).contains(">ia3<").contains(">lora<");
    assertThat(container(dom, "chart-dataset-1")).contains(">rte<");
  }

  /**
   * The report of a {@code tfew demo --out} directory, as a reader sees it: one column and one chart per
   * task (not one per run), every trained method's bar side by side in each chart with its whisker, on a
   * 0-100 axis, and the zero-shot median as a line.
   */
  @Test
  void aDemoReportHasOneColumnAndOneChartPerTaskWithEveryMethodOnAZeroToHundredAxis() throws Exception {
    Optional<Path> browser = findBrowser();
    Assumptions.assumeTrue(browser.isPresent(),
        "no chromium, chromium-browser or google-chrome on PATH: skipping the browser check of report.html");
    List<String> methods = List.of("ia3", "lora", "prompt_tuning", "p_tuning", "full");
    List<String> tasks = List.of("rating", "not_like", "positive_choice");
    SyntheticRuns.demoSet(root.resolve("demo"), methods, tasks, 3);
    Path html = ReportFiles.write(root.resolve("out"), new RunScan("accuracy").scan(root.resolve("demo")),
        "accuracy").get(ReportFiles.HTML);

    String dom = dumpDom(browser.get(), html);
    if (System.getProperty("tfew.report.dom") != null) {
      Files.writeString(Path.of(System.getProperty("tfew.report.dom")), dom);
    }

    assertThat(dom.substring(dom.indexOf("<body"), dom.indexOf(">", dom.indexOf("<body"))))
        .doesNotContain("data-error=").contains("data-rendered=\"true\"");
    // The results table: method, parameters, share, one column per task, mean; one row per method.
    String table = dom.substring(dom.indexOf("<table>"), dom.indexOf("</table>"));
    List<String> header = Pattern.compile("<th>(.*?)</th>").matcher(table).results().map(r -> r.group(1)).toList();
    assertThat(header).containsExactly("method", "trainable params", "% of model", "not_like", "positive_choice",
        "rating", "mean of medians");
    assertThat(Pattern.compile("<tr>").matcher(table).results().count()).isEqualTo(1 + 1 + methods.size());

    assertThat(dom).doesNotContain("id=\"chart-dataset-3\"");
    for (int i = 0; i < tasks.size(); i++) {
      String chart = container(dom, "chart-dataset-" + i);
      // One bar per trained method, each in the method's colour (the zero-shot row has the first colour).
      for (int m = 0; m < methods.size(); m++) {
        assertThat(Pattern.compile("<path [^>]*fill=\"" + PALETTE.get(m + 1) + "\"").matcher(chart).results()
            .count()).as("bars of %s in chart %d", methods.get(m), i).isEqualTo(1);
      }
      assertThat(chart).as("x-axis labels").contains(">ia3<", ">lora<", ">prompt_tuning<", ">p_tuning<", ">full<");
      // The y axis runs from 0 to 100, whatever the spread of the values.
      List<Double> ticks = Pattern.compile(">(\\d+(?:\\.\\d+)?)</text>").matcher(chart).results()
          .map(r -> Double.parseDouble(r.group(1))).toList();
      assertThat(ticks).as("y-axis labels").contains(0.0, 100.0);
      assertThat(ticks.stream().mapToDouble(Double::doubleValue).max().orElseThrow()).isEqualTo(100.0);
      // The zero-shot line is drawn dashed and named with its median.
      assertThat(chart).containsPattern("stroke-dasharray").containsPattern(">- - - zero-shot \\d+(\\.\\d)?</text>");
    }
  }

  /** ECharts' default palette, which report.js gives the table's rows in order. */
  private static final List<String> PALETTE = List.of("#5470c6", "#91cc75", "#fac858", "#ee6666", "#73c0de",
      "#3ba272", "#fc8452", "#9a60b4", "#ea7ccc");

  /** The markup of the chart container {@code id}, up to the next chart container. */
  private static String container(String dom, String id) {
    int start = dom.indexOf("id=\"" + id + "\"");
    assertThat(start).as("container " + id).isNotNegative();
    Matcher next = Pattern.compile("<div class=\"chart\"").matcher(dom);
    int end = next.find(start) ? next.start() : dom.length();
    return dom.substring(start, end);
  }

  private String dumpDom(Path browser, Path html) throws IOException, InterruptedException {
    Path profile = Files.createDirectories(root.resolve("profile"));
    Path out = root.resolve("dom.html");
    Path err = root.resolve("browser.log");
    Process p = new ProcessBuilder(browser.toString(), "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-dev-shm-usage", "--user-data-dir=" + profile, "--virtual-time-budget=5000", "--dump-dom",
        html.toUri().toString())
        .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(browser + " did not finish within 60 s; its log:\n" + Files.readString(err));
    }
    String dom = Files.readString(out, StandardCharsets.UTF_8);
    assertThat(dom).as("%s exited %d with no DOM; its log:%n%s", browser, p.exitValue(), Files.readString(err))
        .contains("<body");
    return dom;
  }

  private static Optional<Path> findBrowser() {
    String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
    return BROWSERS.stream()
        .flatMap(name -> Stream.of(path.split(File.pathSeparator)).map(dir -> Path.of(dir, name)))
        .filter(Files::isExecutable)
        .findFirst();
  }
}
