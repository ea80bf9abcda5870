package io.tfew.cli.endtoend;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code tfew bench train} runs end to end on a tiny model with the real plugins (this module sees them
 * all) and prints its summary line. Only the format and a positive time are checked: timings depend on
 * the machine and its load, so no threshold belongs in a unit test.
 */
class BenchTrainTest {
  private static final Pattern LAST =
      Pattern.compile("tfew_ms_per_step=([0-9.]+) torch_ms_per_step=(n/a|[0-9.]+) speedup=(n/a|[0-9.]+)");

  @Test
  void oneStepOnATinyModelPrintsTheSummaryLineLast() {
    String out = TrainEndToEndTest.cli("bench", "train", "--shape", "tiny", "--input-len", "16", "--steps", "1",
        "--warmup", "0", "--rounds", "1", "--no-torch");
    List<String> lines = out.lines().filter(l -> !l.isBlank()).toList();
    Matcher m = LAST.matcher(lines.get(lines.size() - 1));
    assertThat(m.matches()).as("last line of:%n%s", out).isTrue();
    assertThat(Double.parseDouble(m.group(1))).isPositive();
    assertThat(m.group(2)).isEqualTo("n/a");
    assertThat(out).contains("flops_per_step=").contains("round 1: tfew_ms=[");
  }
}
