package io.tfew.experiments.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tfew.api.config.ConfigField;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigSchemaTest {
  @TempDir
  Path tmp;

  private static final List<ConfigField> FIELDS = List.of(
      ConfigField.ofInt("n", 1, "a count"), ConfigField.ofString("mode", "a", "a mode"));

  @Test
  void overlappingRegistrationsAreRejected() {
    assertThatThrownBy(() -> ConfigSchema.builder().section("x", FIELDS).section("x.n", List.of()).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("x.n");
    assertThatThrownBy(() -> ConfigSchema.builder().section("x", FIELDS).section("x", FIELDS))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("twice");
    assertThatThrownBy(() -> ConfigSchema.builder().section("x", FIELDS).nameList("x.mode", Map.of(), "e", List.of())
        .build()).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ConfigSchema.builder().section("x", FIELDS).choices("x.n", List.of("1")).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no declared string field");
    assertThatThrownBy(() -> ConfigSchema.builder().section("x[0]", FIELDS))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void nestedSectionsGetDefaultsAndIntermediateMapsAreImplicit() throws IOException {
    Path f = tmp.resolve("c.yaml");
    Files.writeString(f, "a:\n  b:\n    n: 3\n", StandardCharsets.UTF_8);
    ConfigSchema schema = ConfigSchema.builder().section("a.b", FIELDS).section("a.c", FIELDS)
        .choices("a.b.mode", List.of("a", "b")).build();

    ValidatedConfig v = schema.validate(new ConfigLoader().load(f, List.of()));

    assertThat(v.section("a.b").asMap()).isEqualTo(Map.of("n", 3, "mode", "a"));
    assertThat(v.section("a.c").asMap()).isEqualTo(Map.of("n", 1, "mode", "a"));
    assertThat(v.section("a.b").path()).isEqualTo(f + ": a.b");
    assertThat(schema.choices("a.b.mode")).containsExactly("a", "b");
    assertThat(v.error("a.b.n", "too big")).hasMessage(f + ":3: a.b.n: too big");
    assertThatThrownBy(() -> v.section("a")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("registered");
    assertThatThrownBy(() -> schema.validate(new ConfigLoader().load(f, List.of("a.x=1"))))
        .hasMessage("--set a.x: unknown key; allowed keys are b, c");
  }
}
