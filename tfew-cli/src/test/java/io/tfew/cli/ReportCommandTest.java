package io.tfew.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportCommandTest {
  @TempDir
  Path root;

  private void run(Path dir, String name, String method, double accuracy) throws IOException {
    Files.createDirectories(dir);
    String config = "{\"name\":\"" + name + "\",\"seed\":3,\"peft\":[{\"method\":\"" + method + "\"}]}";
    Files.writeString(dir.resolve("provenance.json"), "{\"seed\":3,\"config\":" + config
        + ",\"trainable_parameters\":10,\"base_parameters\":1000,\"finished\":\"2026-11-23T10:00:00Z\"}");
    Files.writeString(dir.resolve("metrics.jsonl"),
        "{\"phase\":\"train\",\"step\":1,\"loss\":2.5}\n"
            + "{\"phase\":\"final\",\"step\":1,\"template\":\"all\",\"examples\":4,\"accuracy\":" + accuracy + "}\n"
            + "{\"phase\":\"final\",\"step\":1,\"template\":\"median\",\"accuracy\":" + accuracy + "}\n");
  }

  @Test
  void writesTheReportIntoDirReportAndPrintsTheMarkdownTable() throws IOException {
    run(root.resolve("a"), "rte", "ia3", 0.75);
    CliRun r = CliRun.of("report", root.toString());
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).contains("| ia3 | 10 | 1 | 75.0 (0.0) | 75.0 |");
    for (String f : new String[] {"report.md", "report.csv", "runs.csv", "report.html"}) {
      assertThat(root.resolve("report").resolve(f)).exists();
      assertThat(r.out()).contains("wrote " + root.resolve("report").resolve(f));
    }
  }

  @Test
  void outAndMetricAreHonoured() throws IOException {
    run(root.resolve("a"), "rte", "ia3", 0.75);
    CliRun r = CliRun.of("report", root.toString(), "--out", root.resolve("elsewhere").toString(), "--metric",
        "macro_f1");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).contains("0 of 1 runs counted").contains("no final 'macro_f1'; it has accuracy");
    assertThat(root.resolve("elsewhere/report.html")).exists();
  }

  @Test
  void aDirectoryWithoutRunsIsAnErrorSayingWhatToGive() {
    CliRun r = CliRun.of("report", root.toString());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains(root.toString()).contains("no run directory").contains("tfew train");
  }
}
