package io.tfew.cli.endtoend;

import static io.tfew.cli.endtoend.BenchOutput.field;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * {@code tfew bench load}: a random t5-small checkpoint loaded in a child JVM, its memory against the
 * checkpoint's size, its speed, and the rate at which the loading process writes new memory.
 */
class BenchLoadTest {
  @Test
  void reportsWhatLoadingAddsItsSpeedAndTheRateOfWritingNewMemory() {
    String out = TrainEndToEndTest.cli("bench", "load", "--shape", "t5-small");
    assertThat(out).contains("model=t5-small parameters=60,506,624 checkpoint_f32_bytes=242026496");
    double baseline = field(out, "baseline_rss_bytes");
    double peak = field(out, "peak_rss_bytes");
    // The loaded weights are resident at the peak: at least the checkpoint's bytes above the baseline.
    assertThat(peak - baseline).isGreaterThanOrEqualTo(242026496.0);
    assertThat(field(out, "weight_load_seconds")).isPositive();
    assertThat(field(out, "first_touch_gb_per_second")).isPositive();
    assertThat(out).containsPattern("(?m)^first_touch_gb_per_second=[0-9.]+ \\(the loading process, after the "
        + "load, its weights still held: 256 MiB of new memory written once; [0-9.]+ GB/s written again;");
  }
}
