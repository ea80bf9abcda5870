package io.tfew.cli.endtoend;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tfew.core.testing.TinyTask;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tfew report} over a real {@code tfew train} run directory (a short (IA)^3 run on the tiny task):
 * the report reads what train writes, with no synthetic stand-in.
 */
class ReportEndToEndTest {
  private static final Path RECIPE = Path.of("../experiments/tiny/ia3-rank.yaml").toAbsolutePath();
  private static final int STEPS = 10;

  @TempDir
  Path dir;

  @Test
  void reportsTheFinalAccuracyParametersAndLossCurveOfATrainedRun() throws IOException {
    TinyTask.write(dir);
    Path run = dir.resolve("runs/tiny/ia3/seed1");
    TrainEndToEndTest.cli("train", RECIPE.toString(), "--out", run.toString(),
        "--set", "model=" + dir.resolve("model"),
        "--set", "data.train.path=" + dir.resolve("train.jsonl"),
        "--set", "data.eval.path=" + dir.resolve("eval.jsonl"),
        "--set", "train.steps=" + STEPS, "--set", "train.checkpoint_every=0", "--set", "train.eval_before=false");
    // An interrupted run beside it: listed, not counted.
    Files.createDirectories(dir.resolve("runs/tiny/ia3/interrupted"));
    Files.copy(run.resolve("config.resolved.yaml"), dir.resolve("runs/tiny/ia3/interrupted/config.resolved.yaml"));

    String stdout = TrainEndToEndTest.cli("report", dir.resolve("runs").toString());

    JsonNode provenance = new ObjectMapper().readTree(run.resolve("provenance.json").toFile());
    double accuracy = provenance.get("evaluations").get("final").get("accuracy").asDouble();
    long base = provenance.get("base_parameters").asLong();
    assertThat(stdout).contains("1 of 2 runs counted")
        .contains(String.format(Locale.ROOT, "| ia3 | 640 | %s | %.1f (0.0) | %.1f |",
            new BigDecimal(100.0 * 640 / base).round(new MathContext(3)).stripTrailingZeros()
                .toPlainString(), 100 * accuracy, 100 * accuracy))
        // The column is the evaluation file's: eval.jsonl only names a split, so its folder names it.
        .contains("| tiny/ia3/interrupted | " + dir.getFileName() + " | ia3 | 1 | unfinished | no provenance.json yet |");

    Path report = dir.resolve("runs/report");
    List<String> csv = Files.readAllLines(report.resolve("report.csv"));
    assertThat(csv).hasSize(2);
    assertThat(csv.get(1)).startsWith("ia3,640,").contains("," + accuracy + ",");
    String html = Files.readString(report.resolve("report.html"));
    Matcher m = Pattern.compile("id=\"report-data\">(.*?)</script>", Pattern.DOTALL).matcher(html);
    assertThat(m.find()).isTrue();
    JsonNode curve = new ObjectMapper().readTree(m.group(1)).get("curves").get(0).get("points");
    assertThat(curve).hasSize(STEPS);
    assertThat(curve.get(STEPS - 1).get(0).asInt()).isEqualTo(STEPS);
  }
}
