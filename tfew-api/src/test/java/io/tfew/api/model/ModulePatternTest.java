package io.tfew.api.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.tfew.api.TfewException;
import io.tfew.api.config.ConfigException;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ModulePatternTest {
  private static final String WHERE = "exp.yaml: peft.target_modules";
  /** A hang guard, not a speed test. */
  private static final Duration HANG_GUARD = Duration.ofSeconds(60);

  @Test
  void fullMatchesModulePaths() {
    ModulePattern p = ModulePattern.compile(".*(SelfAttention|EncDecAttention)\\.(k|v)", WHERE);
    assertThat(p.matches("encoder.block.0.layer.0.SelfAttention.k")).isTrue();
    assertThat(p.matches("decoder.block.3.layer.1.EncDecAttention.v")).isTrue();
    assertThat(p.matches("encoder.block.0.layer.0.SelfAttention.kk")).isFalse();
    assertThat(p.matches("encoder.block.0.layer.0.SelfAttention.q")).isFalse();
    assertThat(ModulePattern.compile("(?:.*\\.)?wo", WHERE).matches("encoder.block.0.layer.1.DenseReluDense.wo"))
        .isTrue();
    assertThat(ModulePattern.compile(".*block\\.[0-9]{1,2}\\..*\\.q", WHERE).matches("encoder.block.11.layer.0.SelfAttention.q"))
        .isTrue();
  }

  @Test
  void catastrophicBacktrackingPatternsMatchInLinearTime() {
    String path = "encoder.block.0.layer.0.SelfAttention.k".repeat(20);
    List<String> pathological = List.of(".*".repeat(14) + "Z", "(.*)*Z", "(a|a)*Z", "(.*a){12}Z", "((.*)*)*Z");
    assertTimeoutPreemptively(HANG_GUARD, () -> {
      for (String regex : pathological) {
        assertThat(ModulePattern.compile(regex, WHERE).matches(path)).as(regex).isFalse();
      }
    });
  }

  @Test
  void invalidAndUnsupportedPatternsAreConfigErrorsNamingTheField() {
    for (String regex : List.of("(", "[a-", "a**", "(?<=x)k", "(k)\\1")) {
      assertThatThrownBy(() -> ModulePattern.compile(regex, WHERE))
          .isInstanceOf(ConfigException.class)
          .hasMessageStartingWith(WHERE + ": '" + regex + "' is not a regular expression");
    }
  }

  @Test
  void patternsThatWouldCompileToHugeProgramsAreRefused() {
    assertTimeoutPreemptively(HANG_GUARD, () -> {
      for (String regex : List.of("((a{1000}){1000}){1000}", "(a{100}){100}", "x".repeat(ModulePattern.MAX_LENGTH + 1))) {
        assertThatThrownBy(() -> ModulePattern.compile(regex, WHERE))
            .isInstanceOf(ConfigException.class).hasMessageStartingWith(WHERE + ": ");
      }
      // An escaped brace is a literal, not a repetition.
      assertThat(ModulePattern.compile("a\\{1000}", WHERE).matches("a{1000}")).isTrue();
    });
  }

  @Test
  void overlongPathsAreRefused() {
    ModulePattern p = ModulePattern.compile(".*", WHERE);
    assertThatThrownBy(() -> p.matches("x".repeat(ModulePattern.MAX_PATH_LENGTH + 1)))
        .isInstanceOf(TfewException.class);
  }

  /** Random patterns over regex syntax: each compiles or is a ConfigException, and matching stays bounded. */
  @Test
  void randomPatternsCompileOrFailCleanlyAndMatchQuickly() {
    String alphabet = ".*+?|()[]{}\\^$ak0159,-:";
    Random random = new Random(15);
    String path = "decoder.block.2.layer.1.EncDecAttention.k".repeat(10);
    assertTimeoutPreemptively(HANG_GUARD, () -> {
      for (int i = 0; i < 3000; i++) {
        StringBuilder b = new StringBuilder();
        int n = 1 + random.nextInt(30);
        for (int j = 0; j < n; j++) {
          b.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        try {
          ModulePattern.compile(b.toString(), WHERE).matches(path);
        } catch (ConfigException expected) {
          assertThat(expected.getMessage()).startsWith(WHERE + ": ");
        }
      }
    });
  }
}
