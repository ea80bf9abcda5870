package io.tfew.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tfew.api.config.ConfigField;
import io.tfew.api.config.ConfigSection;
import io.tfew.api.model.LinearSite;
import io.tfew.api.peft.PeftMethod;
import io.tfew.api.peft.PeftMethodProvider;
import io.tfew.core.checkpoint.SafetensorsWriter;
import io.tfew.core.testing.ContextPlugins;
import io.tfew.core.testing.SharedFixtures;
import io.tfew.core.testing.VeraLikeProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * The CLI's answer to a plugin that fails while core builds the graph, or that targets nothing: exit 2
 * and one message naming the method, the site or patterns, and the cause; never a stack trace.
 */
public class PluginAuthorErrorsTest {
  private static final Path T0 = SharedFixtures.path("fixtures/t5-parity/t0-tiny");

  @TempDir
  Path tmp;

  /** {@code throws_test}: throws from its linearOutput hook at the first value projection. */
  public static final class ThrowingProvider implements PeftMethodProvider {
    @Override
    public String name() {
      return "throws_test";
    }

    @Override
    public String description() {
      return "test plugin that fails in a hook";
    }

    @Override
    public List<ConfigField> configFields() {
      return List.of();
    }

    @Override
    public PeftMethod create(ConfigSection config) {
      return new PeftMethod() {
        @Override
        public Operand<TFloat32> linearOutput(LinearSite site, Operand<TFloat32> input, Operand<TFloat32> output) {
          if (site.path().endsWith("SelfAttention.v")) {
            throw new UnsupportedOperationException("gated value heads are not implemented");
          }
          return output;
        }
      };
    }
  }

  private Path adapter(String name, String config) throws IOException {
    Path dir = tmp.resolve(name);
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("adapter_config.json"), config);
    SafetensorsWriter.write(dir.resolve("adapter_model.safetensors"), Map.of(), Map.of());
    return dir;
  }

  @Test
  void anExceptionInAPluginHookIsExitTwoWithTheMethodTheSiteAndTheCause() throws IOException {
    Path dir = adapter("throws", "{\"tfew_method\": \"throws_test\", \"tfew_config\": {}}");
    CliRun run = ContextPlugins.with(tmp.resolve("plugins"), () -> CliRun.of("score", "--model", T0.toString(),
        "--data", T0.resolve("rank_inputs.jsonl").toString(), "--adapter", dir.toString()), ThrowingProvider.class);
    assertThat(run.exit()).as(run.toString()).isEqualTo(2);
    assertThat(run.err()).contains("PEFT method 'throws_test'").contains("encoder.block.0.layer.0.SelfAttention.v")
        .contains("java.lang.UnsupportedOperationException: gated value heads are not implemented")
        .doesNotContain("\tat ");
  }

  @Test
  void targetModulesMatchingNothingNamesTheMethodAndItsPatterns() throws IOException {
    Path dir = adapter("nothing", "{\"tfew_method\": \"vera_test\", \"tfew_config\": "
        + "{\"target_modules\": [\".*SelfAttn\\\\.q\"]}}");
    CliRun run = ContextPlugins.with(tmp.resolve("plugins"), () -> CliRun.of("score", "--model", T0.toString(),
        "--data", T0.resolve("rank_inputs.jsonl").toString(), "--adapter", dir.toString()), VeraLikeProvider.class);
    assertThat(run.exit()).as(run.toString()).isEqualTo(2);
    assertThat(run.err()).contains("PEFT method 'vera_test' matched no site").contains("target_modules = [.*SelfAttn\\.q]")
        .doesNotContain("\tat ");
  }

  @Test
  void pluginsCountsFrozenTensorsApartFromTrainableOnes() {
    CliRun run = ContextPlugins.with(tmp.resolve("plugins"), () -> CliRun.of("plugins", "--model", T0.toString(),
        "--set", "vera_test.r=2"), VeraLikeProvider.class);
    assertThat(run.exit()).as(run.toString()).isZero();
    // Defaults: r 4 on q and v of every self-attention (5 blocks; q and v are [64, 48]): A [4, 48], B [64, 4].
    assertThat(run.out()).contains("vera_test - ").contains(String.format(java.util.Locale.ROOT,
        "[%,d trainable parameters, %,d frozen with defaults]", 10 * (4 + 64), 4 * 48 + 64 * 4));
    assertThat(run.out()).contains(String.format(java.util.Locale.ROOT, "trainable parameters, %,d frozen",
        2 * 48 + 64 * 2));
  }
}
