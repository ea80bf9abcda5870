package io.tfew.experiments.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigDifferenceTest {
  @Test
  void namesNestedKeysThatDifferOrExistOnOneSideOnly() {
    Map<String, Object> a = Map.of("seed", 1, "train", Map.of("lr", 0.3, "steps", 10), "name", "x");
    Map<String, Object> b = Map.of("seed", 2, "train", Map.of("lr", 0.3, "steps", 10, "batch_size", 8), "name", "x");
    assertThat(ConfigDifference.keys(a, b)).containsExactly("seed", "train.batch_size");
  }

  @Test
  void numbersCompareByValueWhateverTheirJavaType() {
    assertThat(ConfigDifference.keys(Map.of("lr", 1), Map.of("lr", 1.0))).isEmpty();
    assertThat(ConfigDifference.keys(Map.of("steps", 3L), Map.of("steps", 3))).isEmpty();
    assertThat(ConfigDifference.keys(Map.of("lr", 1), Map.of("lr", 1.5))).containsExactly("lr");
  }
}
