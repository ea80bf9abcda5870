package io.tfew.experiments.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tfew.api.TfewException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code bench memory}'s method list and table (the measuring itself runs in child JVMs). */
class MemoryBenchTest {
  @Test
  void methodsParseWithAnOptionalOptimizer() {
    assertThat(MemoryBench.Spec.parseList("lora, qlora,full:adamw")).containsExactly(
        new MemoryBench.Spec("lora", "adafactor"), new MemoryBench.Spec("qlora", "adafactor"),
        new MemoryBench.Spec("full", "adamw"));
    assertThatThrownBy(() -> MemoryBench.Spec.parseList("full:rmsprop")).isInstanceOf(TfewException.class)
        .hasMessageContaining("unknown optimizer 'rmsprop'");
    assertThatThrownBy(() -> MemoryBench.Spec.parseList(" , ")).isInstanceOf(TfewException.class);
    assertThatThrownBy(() -> MemoryBench.Spec.parseList(":adamw")).isInstanceOf(TfewException.class);
  }

  @Test
  void theTableGivesDifferencesToTheFirstRow() {
    long mb = 1024 * 1024;
    String table = MemoryBench.table(List.of(
        new MemoryBench.Measurement(new MemoryBench.Spec("lora", "adafactor"), "adafactor", 10, 300 * mb, 1500 * mb,
            2500 * mb, 5, 4),
        new MemoryBench.Measurement(new MemoryBench.Spec("qlora", "adafactor"), "adafactor", 10, 300 * mb, 800 * mb,
            2400 * mb, 5, 4),
        new MemoryBench.Measurement(new MemoryBench.Spec("lomo", "adafactor"), "fused-sgd", 10, 300 * mb, 700 * mb,
            900 * mb, 5, 4)));
    String qlora = table.lines().filter(l -> l.contains("qlora")).findFirst().orElseThrow();
    assertThat(qlora.replace(" ", "")).contains("|800|2400|-700|-100|");
    String lora = table.lines().filter(l -> l.contains("| lora")).findFirst().orElseThrow();
    assertThat(lora.replace(" ", "")).contains("|+0|+0|");
    // A fused-update method is labelled with the update that ran, not the optimizer it never used.
    assertThat(table).contains("lomo:fused-sgd").doesNotContain("lomo:adafactor");
  }
}
