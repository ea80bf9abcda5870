package io.tfew.cli.endtoend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

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
    // Every product shape of the step is timed, and the step is judged against their combined rate.
    Matcher ceiling = Pattern.compile("matmul ceiling: the step's ([0-9]+) product shapes, each at its best rate "
        + "\\(one at a time or two at once\\): ([0-9.]+) ms per step, ([0-9.]+) GFLOP/s").matcher(out);
    assertThat(ceiling.find()).as(out).isTrue();
    assertThat(out.lines().filter(l -> l.startsWith("matmul [") || l.matches("matmul [0-9]+ x \\[.*")))
        .hasSize(Integer.parseInt(ceiling.group(1)));
    assertThat(Double.parseDouble(ceiling.group(3))).isPositive();
    assertThat(out).containsPattern("tfew: [0-9]+% of the matmul ceiling of its own shapes");
    // What the step spends beyond its products' ceiling, and that ceiling, add up to the step's median.
    Matcher beyond = Pattern.compile("tfew: (-?[0-9.]+) ms of the ([0-9.]+) ms step \\(-?[0-9]+%\\) lie beyond its "
        + "products' ceiling of ([0-9.]+) ms").matcher(out);
    assertThat(beyond.find()).as(out).isTrue();
    assertThat(Double.parseDouble(beyond.group(2))).isEqualTo(Double.parseDouble(m.group(1)));
    assertThat(Double.parseDouble(beyond.group(1)) + Double.parseDouble(beyond.group(3)))
        .isCloseTo(Double.parseDouble(m.group(1)), within(0.11));
    assertThat(Double.parseDouble(beyond.group(3))).isCloseTo(
        Double.parseDouble(ceiling.group(2)), within(0.11));
  }

  @Test
  void accumulatedMicroBatchesMakeOneStepAndThePeakResidentSetIsPrinted() {
    String out = TrainEndToEndTest.cli("bench", "train", "--shape", "tiny", "--input-len", "16", "--batch-size", "4",
        "--grad-accum", "2", "--steps", "1", "--warmup", "1", "--rounds", "1", "--no-torch");
    assertThat(out).contains("batch=4 ").contains("grad_accum=2 ").contains("(4 examples in 2 micro-batches)");
    Matcher rss = Pattern.compile("peak_rss_bytes=(-?[0-9]+)").matcher(out);
    assertThat(rss.find()).as(out).isTrue();
    // /proc is there on the machines the suite runs on; the JVM and TensorFlow alone hold far more than 10 MB.
    assertThat(Long.parseLong(rss.group(1))).isGreaterThan(10_000_000L);
  }

  @Test
  void aBatchThatDoesNotSplitEvenlyOrAccumulationAgainstTorchIsRefused() {
    assertThat(ScoredRows.refusal("bench", "train", "--shape", "tiny", "--batch-size", "5", "--grad-accum", "2",
        "--no-torch")).contains("--batch-size 5 is not a multiple of --grad-accum 2");
    assertThat(ScoredRows.refusal("bench", "train", "--shape", "tiny", "--batch-size", "4", "--grad-accum", "2"))
        .contains("--grad-accum 2 needs --no-torch");
  }

  @Test
  void profilePrintsKernelTimePerOpTypeFromTracedSteps() {
    String out = TrainEndToEndTest.cli("bench", "train", "--shape", "tiny", "--input-len", "16", "--steps", "1",
        "--warmup", "0", "--rounds", "1", "--no-torch", "--profile", "2");
    List<String> lines = out.lines().filter(l -> !l.isBlank()).toList();
    assertThat(LAST.matcher(lines.get(lines.size() - 1)).matches()).as("last line of:%n%s", out).isTrue();
    assertThat(out).contains("traced step 2: ").contains("profile: 2 traced steps")
        .contains("profile: the 15 costliest sites");
    int header = lines.indexOf(lines.stream().filter(l -> l.startsWith("op_type")).findFirst().orElseThrow());
    // The step's matrix products run: the model's projections (MatMul, whatever kernel oneDNN picks) and
    // attention's batched products (Einsum, and BatchMatMul where a PEFT method adds one).
    List<String> types = lines.subList(header + 1, lines.size()).stream().takeWhile(l -> !l.startsWith("profile:"))
        .map(l -> l.split(" +")[0]).toList();
    assertThat(types).contains("MatMul", "Einsum");
    assertThat(types).noneMatch(t -> t.startsWith("_Mkl"));
    Matcher share = Pattern.compile("profile: matmul share ([0-9.]+)% of kernel time \\(.*MatMul.*\\)").matcher(
        lines.stream().filter(l -> l.startsWith("profile: matmul share")).findFirst().orElseThrow());
    assertThat(share.matches()).isTrue();
    assertThat(Double.parseDouble(share.group(1))).isGreaterThan(0).isLessThanOrEqualTo(100);
  }

  @Test
  void aNegativeProfileCountIsRefused() {
    assertThat(ScoredRows.refusal("bench", "train", "--shape", "tiny", "--no-torch", "--profile=-1"))
        .contains("--profile -1").doesNotContain("Exception");
  }
}
