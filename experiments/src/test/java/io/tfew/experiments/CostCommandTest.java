package io.tfew.experiments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Percentage.withPercentage;

import io.tfew.core.cli.TfewCli;
import io.tfew.core.testing.SharedFixtures;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code tfew cost} with the installed (IA)^3 plugin reproduces Table 1's T-Few row on the T0 (11B)
 * config, from the config.json alone and from the T0-11B recipe.
 */
class CostCommandTest {
  private static final Path T0_11B = SharedFixtures.path("fixtures/configs/t0-11b/config.json");

  @Test
  void t0_11bConfigGivesTableOnesTFewRow() {
    Map<String, String> v = values(TrainEndToEndTest.cli("cost", T0_11B.toString()));
    assertTFewRow(v);
    assertThat(v.get("method")).startsWith("ia3: 1,081,344 trainable");
  }

  @Test
  void theT0_11bRecipeGivesTheSameRow() {
    String out = TrainEndToEndTest.cli("cost", Path.of("t0-11b/rte.yaml").toAbsolutePath().toString(),
        "--model-config", T0_11B.toString());
    assertTFewRow(values(out));
    assertThat(out).contains("1000 steps x 8 examples");
  }

  @Test
  void anotherMethodCountsItsOwnParameters() {
    Map<String, String> v = values(TrainEndToEndTest.cli("cost", T0_11B.toString(), "--method", "lora"));
    assertThat(Long.parseLong(v.get("adapter_bytes").split(" ")[0])).isGreaterThan(4_325_376L);
  }

  @Test
  void aMissingConfigOrMethodIsAUsageError() {
    StringWriter err = new StringWriter();
    int status = TfewCli.run(new String[] {"cost", "no/such/config.json"}, new PrintWriter(new StringWriter()),
        new PrintWriter(err));
    assertThat(status).isEqualTo(2);
    assertThat(err.toString()).contains("no/such/config.json");
    err = new StringWriter();
    status = TfewCli.run(new String[] {"cost", T0_11B.toString(), "--method", "nope"},
        new PrintWriter(new StringWriter()), new PrintWriter(err));
    assertThat(status).isEqualTo(2);
    assertThat(err.toString()).contains("nope").contains("ia3");
  }

  private static void assertTFewRow(Map<String, String> v) {
    assertThat(Double.parseDouble(v.get("inference_flops_per_example"))).isCloseTo(1.1e12, withPercentage(10));
    assertThat(Double.parseDouble(v.get("training_flops"))).isCloseTo(2.7e16, withPercentage(10));
    assertThat(Double.parseDouble(v.get("adapter_bytes").split(" ")[0])).isCloseTo(4.2e6, withPercentage(10));
  }

  private static Map<String, String> values(String out) {
    Map<String, String> v = new HashMap<>();
    for (String line : out.lines().toList()) {
      int eq = line.indexOf('=');
      if (line.startsWith("method ")) {
        v.put("method", line.substring("method ".length()));
      } else if (eq > 0 && !line.contains(" ")) {
        v.put(line.substring(0, eq), line.substring(eq + 1));
      } else if (eq > 0 && line.indexOf(' ') > eq) {
        v.put(line.substring(0, eq), line.substring(eq + 1));
      }
    }
    return v;
  }
}
