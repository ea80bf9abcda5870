package io.tfew.peft.ia3;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.tfew.api.TfewException;
import io.tfew.api.config.ConfigException;
import io.tfew.core.adapter.AdapterDirectory;
import io.tfew.core.plugin.PluginRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** (IA)^3's user-written regexes, in YAML and in PEFT configs: errors name the field, matching never hangs. */
class HostileIa3ConfigTest {
  @TempDir
  Path tmp;

  @Test
  void anInvalidPeftRegexNamesTheFileAndField() throws IOException {
    for (String field : List.of("target_modules", "feedforward_modules")) {
      Path dir = tmp.resolve(field);
      Files.createDirectories(dir);
      String json = field.equals("target_modules")
          ? "{\"peft_type\": \"IA3\", \"target_modules\": \"(k|v\"}"
          : "{\"peft_type\": \"IA3\", \"target_modules\": \".*\\\\.(k|v|wo)\", \"feedforward_modules\": \"[wo\"}";
      Files.writeString(dir.resolve(AdapterDirectory.CONFIG_FILE), json);
      assertThatThrownBy(() -> AdapterDirectory.read(dir, PluginRegistry.discover()))
          .isInstanceOf(TfewException.class)
          .hasMessageStartingWith(dir.resolve(AdapterDirectory.CONFIG_FILE) + ": " + field + ": ")
          .hasMessageContaining("is not a regular expression");
    }
  }

  @Test
  void anInvalidYamlRegexNamesTheSection() {
    assertThatThrownBy(() -> Ia3TestKit.create(Map.of("target_modules", List.of("[k"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("target_modules")
        .hasMessageContaining("'[k' is not a regular expression");
  }

  @Test
  void aBacktrackingBombInTargetModulesDoesNotHang() {
    Ia3Config c = new Ia3Config(List.of(".*".repeat(14) + "Z"), true, Ia3Config.INIT_ONES);
    assertTimeoutPreemptively(Duration.ofSeconds(60),
        () -> Assertions.assertThat(c.targets("encoder.block.0.layer.0.SelfAttention.k".repeat(4))).isFalse());
  }
}
