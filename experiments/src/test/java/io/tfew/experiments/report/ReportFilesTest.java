package io.tfew.experiments.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shape and content of report.md, report.csv, runs.csv and report.html for the synthetic runs. */
class ReportFilesTest {
  @TempDir
  Path root;

  private Map<String, Path> written;

  @BeforeEach
  void write() throws IOException {
    SyntheticRuns.standardSet(root.resolve("runs"));
    List<RunResult> runs = new RunScan("accuracy", "name").scan(root.resolve("runs"));
    written = ReportFiles.write(root.resolve("out"), runs, "accuracy");
  }

  @Test
  void writesTheFourFilesAndNoTemporaryOnes() throws IOException {
    assertThat(written.keySet()).containsExactly("report.md", "report.csv", "runs.csv", "report.html");
    try (var files = Files.list(root.resolve("out"))) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("report.md", "report.csv", "runs.csv", "report.html");
    }
  }

  @Test
  void markdownTableHasAMethodRowPerMethodAndAColumnPerDatasetWithMedianAndIqr() throws IOException {
    List<String> lines = Files.readAllLines(written.get("report.md"));
    assertThat(lines).contains(
        "| method | trainable params | % of model | cb | rte | mean of medians |",
        "|---|---:|---:|---:|---:|---:|",
        "| zero-shot | 0 | 0 | - | 45.0 (5.0) | 45.0\\* |",
        "| ia3 | 640 | 1 | 25.0 (15.0) | 70.0 (20.0) | 47.5 |",
        "| lora | 1,280 | 2 | - | 60.0 (0.0) | 60.0\\* |");
    assertThat(lines).contains("| method | cb | rte |", "| ia3 | 1 (4) | 2 (5) |", "| lora | - | 1 (1) |");
    assertThat(String.join("\n", lines)).contains("5 of 7 runs counted")
        .contains("## Runs not counted")
        .contains("| cb/lora/seed0 | cb | lora | 0 | unfinished |")
        .contains("| cb/ia3/seed1 | cb | ia3 | 1 | no_metric |");
  }

  @Test
  void csvTableHasOneLinePerMethodWithSixColumnsPerDatasetInTheMetricsUnit() throws IOException {
    List<String> lines = List.of(Files.readString(written.get("report.csv")).split("\r\n"));
    assertThat(lines.get(0)).isEqualTo("method,trainable_parameters,trainable_percent,"
        + "cb_median,cb_q1,cb_q3,cb_iqr,cb_runs,cb_values,"
        + "rte_median,rte_q1,rte_q3,rte_iqr,rte_runs,rte_values,mean_of_medians");
    assertThat(lines).hasSize(4);
    String[] ia3 = lines.get(2).split(",", -1);
    assertThat(ia3).hasSize(16);
    assertThat(ia3[0]).isEqualTo("ia3");
    assertThat(ia3[1]).isEqualTo("640");
    assertThat(Double.parseDouble(ia3[2])).isEqualTo(1.0);
    assertThat(Double.parseDouble(ia3[3])).isCloseTo(0.25, within(1e-12));
    assertThat(ia3[9]).isEqualTo("0.7");
    assertThat(ia3[10]).isEqualTo("0.6");
    assertThat(ia3[11]).isEqualTo("0.8");
    assertThat(ia3[13]).isEqualTo("2");
    assertThat(ia3[14]).isEqualTo("5");
    assertThat(lines.get(3)).startsWith("lora,1280,2.0,,,,,,,0.6,");
  }

  @Test
  void runsCsvListsEveryRunWithItsState() throws IOException {
    List<String> lines = List.of(Files.readString(written.get("runs.csv")).split("\r\n"));
    assertThat(lines).hasSize(8);
    assertThat(lines.get(0)).startsWith("run,dataset,method,model,seed,state,detail,templates,median");
    assertThat(lines).anyMatch(l -> l.startsWith("cb/lora/seed0,cb,lora,models/tiny,0,unfinished,"));
    assertThat(lines).anyMatch(l -> l.startsWith("rte/ia3/seed0,rte,ia3,models/tiny,0,counted,,3,0.7,640,64000"));
  }

  @Test
  void htmlHoldsTheDataAChartContainerPerDatasetAndEchartsInline() throws IOException {
    String html = Files.readString(written.get("report.html"));
    Matcher m = Pattern.compile("<script type=\"application/json\" id=\"report-data\">(.*?)</script>", Pattern.DOTALL)
        .matcher(html);
    assertThat(m.find()).isTrue();
    JsonNode data = new ObjectMapper().readTree(m.group(1));
    assertThat(data.get("metric").asText()).isEqualTo("accuracy");
    assertThat(data.get("datasets")).hasSize(2);
    JsonNode ia3 = data.get("methods").get(1);
    assertThat(ia3.get("method").asText()).isEqualTo("ia3");
    assertThat(ia3.get("cells").get("rte").get("median").asDouble()).isEqualTo(0.7);
    assertThat(ia3.get("cells").get("rte").get("q3").asDouble()).isEqualTo(0.8);
    assertThat(data.get("curves")).hasSize(5);
    assertThat(html).contains("id=\"chart-params\"", "id=\"chart-dataset-0\" data-dataset=\"cb\"",
        "id=\"chart-dataset-1\" data-dataset=\"rte\"", "id=\"chart-loss\"", "<td>70.0 (20.0)</td>");
    // Works offline: ECharts is inlined, nothing is loaded from elsewhere.
    assertThat(html).contains("Apache ECharts 5.3.1").contains("echarts.init");
    assertThat(html).doesNotContain("<script src=").doesNotContainPattern("(src|href)=\"https?:");
    assertThat(html.length()).isGreaterThan(1_000_000);
  }

  @Test
  void namesCannotBreakOutOfTheHtmlOrTheJson() throws IOException {
    SyntheticRuns.finished(root.resolve("evil/run"), "</script><b>x&y", List.of("ia3"), 0, 640, 0.5);
    List<RunResult> runs = new RunScan("accuracy", "name").scan(root.resolve("evil"));
    String html = Files.readString(ReportFiles.write(root.resolve("evil-out"), runs, "accuracy").get("report.html"));
    assertThat(html).doesNotContain("</script><b>").contains("&lt;/script&gt;&lt;b&gt;x&amp;y")
        .contains("\\u003c/script>\\u003cb>x&y");
  }

  @Test
  void htmlFromDataAndConfigValuesIsTextInTheMarkdownAndTheHtmlReport() throws IOException {
    String evil = "<img src=x onerror=alert(1)>";
    SyntheticRuns.finished(root.resolve("md/run"), evil + "&co", List.of("<b>ia3</b>"), 0, 640, 0.5);
    SyntheticRuns.write(root.resolve("md/" + "left<i>"), evil, List.of("lora"), 0, 10, false, "accuracy");
    List<RunResult> runs = new RunScan("accuracy", "name").scan(root.resolve("md"));
    Map<String, Path> files = ReportFiles.write(root.resolve("md-out"), runs, "acc<u>racy");
    for (String name : List.of("report.md", "report.html")) {
      String text = Files.readString(files.get(name));
      // The page's markup, not the inlined ECharts, whose code holds tags of its own.
      int data = text.indexOf("<script type=\"application/json\"");
      text = data < 0 ? text : text.substring(0, data);
      assertThat(text).as(name).doesNotContain("<img", "<b>ia3", "<i>", "<u>")
          .contains("&lt;img src=x onerror=alert(1)&gt;&amp;co", "&lt;b&gt;ia3&lt;/b&gt;", "left&lt;i&gt;",
              "acc&lt;u&gt;racy");
    }
  }
}
