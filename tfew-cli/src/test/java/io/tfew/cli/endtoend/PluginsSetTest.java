package io.tfew.cli.endtoend;

import static org.assertj.core.api.Assertions.assertThat;

import io.tfew.core.model.T5Config;
import io.tfew.core.testing.SharedFixtures;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * {@code tfew plugins --model CONFIG --set METHOD.KEY=VALUE} counts a method with other options than its
 * defaults, such as the T-Few paper's Table 4 settings; here on the tiny fixture config, where the counts
 * have closed forms.
 */
class PluginsSetTest {
  private static final Path CONFIG = SharedFixtures.path("fixtures/t5-parity/t0-tiny/config.json");

  @Test
  void countsTheMethodWithTheGivenOptions() {
    int d = T5Config.read(CONFIG).dModel();
    String out = TrainEndToEndTest.cli("plugins", "--model", CONFIG.toString(),
        "--set", "prompt_tuning.num_virtual_tokens=100", "--set", "prompt_tuning.decoder=true");
    // Encoder and decoder prompts of 100 rows each.
    assertThat(out).contains(String.format(Locale.ROOT,
        "prompt_tuning with {num_virtual_tokens=100, decoder=true}: %,d trainable parameters", 2 * 100 * d));
  }

  @Test
  void badSetsAreUsageErrorsNamingTheProblem() {
    assertThat(ScoredRows.refusal("plugins", "--set", "lora.r=8")).contains("add --model");
    assertThat(ScoredRows.refusal("plugins", "--model", CONFIG.toString(), "--set", "lora=8")).contains("METHOD.KEY=VALUE");
    assertThat(ScoredRows.refusal("plugins", "--model", CONFIG.toString(), "--set", "lora.rank=8"))
        .contains("lora.rank").contains("unknown key");
    assertThat(ScoredRows.refusal("plugins", "--model", CONFIG.toString(), "--set", "nope.r=8")).contains("nope");
  }
}
