package io.tfew.cli.endtoend;

import static io.tfew.cli.endtoend.BenchOutput.field;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code tfew bench startup} writes a random checkpoint, loads it through the real loader and trains on it,
 * reporting each phase. Only the phases' presence and sane values are checked: timings depend on the
 * machine's load, so no threshold belongs in a unit test.
 */
class BenchStartupTest {
  @Test
  void reportsGraphBuildWeightLoadFirstAndSteadyStepOfATinyModel() {
    String out = TrainEndToEndTest.cli("bench", "startup", "--shape", "tiny", "--input-len", "8",
        "--steady-steps", "1");
    assertThat(field(out, "graph_build_seconds")).isPositive();
    assertThat(field(out, "weight_load_seconds")).isPositive();
    assertThat(field(out, "first_step_seconds")).isPositive();
    assertThat(field(out, "steady_step_seconds")).isPositive();
    // Every weight of the random checkpoint went through the loader: the byte count is the model's.
    Matcher bytes = Pattern.compile("random checkpoint: tiny, ([0-9,]+) bytes").matcher(out);
    assertThat(bytes.find()).as(out).isTrue();
    assertThat(out).contains("weight_load_seconds=").contains("(" + bytes.group(1) + " bytes, ");
    // The loading executor is built with the graph, once the weights are declared, and reported there; the load
    // reports its first run apart from those that assign (a tiny model's groups are its smallest possible, so
    // there are several).
    assertThat(out).containsPattern("(?m)^graph_build_seconds=[0-9.]+ \\([0-9,]+ operations; [0-9.]+ s of it the "
        + "session and the loading executor, built once the weights alone were declared\\)$");
    assertThat(out).containsPattern("; [0-9.]+ s to its first run, whose executor the graph built already, "
        + "then [0-9]+ runs at [0-9.]+ GB/s\\)");
    assertThat(field(out, "new_signature_seconds")).isPositive();
    assertThat(field(out, "first_touch_gb_per_second")).isPositive();
    assertThat(out).containsPattern("(?m)^first_touch_gb_per_second=[0-9.]+ \\(256 MiB of new memory written once; "
        + "[0-9.]+ GB/s written again: ");
  }

  @Test
  void anAccumulatedStepListsItsMicroBatches() {
    String out = TrainEndToEndTest.cli("bench", "startup", "--shape", "tiny", "--input-len", "8",
        "--steady-steps", "1", "--batch-size", "4", "--grad-accum", "2");
    for (String line : new String[] {"first_step_seconds", "steady_step_seconds"}) {
      Matcher m = Pattern.compile("(?m)^" + line + "=([0-9.]+).* \\(micro-batches: ([0-9.]+), ([0-9.]+) s\\)$")
          .matcher(out);
      assertThat(m.find()).as("%s in:%n%s", line, out).isTrue();
      assertThat(Double.parseDouble(m.group(2)) + Double.parseDouble(m.group(3)))
          .isCloseTo(Double.parseDouble(m.group(1)), org.assertj.core.api.Assertions.within(0.011));
    }
  }

  @Test
  void aGradAccumThatDoesNotDivideTheBatchIsRefused() {
    assertThat(ScoredRows.refusal("bench", "startup", "--shape", "tiny", "--batch-size", "2", "--grad-accum", "3"))
        .contains("--grad-accum 3").contains("--batch-size 2");
  }
}
