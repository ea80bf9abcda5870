package io.tfew.experiments.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tfew.api.TfewException;
import io.tfew.api.peft.PeftMethodProvider;
import io.tfew.core.plugin.PluginClassLoader;
import io.tfew.core.plugin.PluginPath;
import io.tfew.core.plugin.PluginRegistry;
import io.tfew.core.testing.PluginJars;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PluginJarRecordTest {
  private static final String CLASS = "org.example.rec.RecProvider";

  @TempDir
  Path tmp;

  private Path jar(String file, String description) throws IOException {
    String source = "package org.example.rec;\n"
        + "import io.tfew.api.config.*; import io.tfew.api.peft.*; import java.util.List;\n"
        + "public final class RecProvider implements PeftMethodProvider {\n"
        + "  public String name() { return \"rec\"; }\n"
        + "  public String description() { return \"" + description + "\"; }\n"
        + "  public List<ConfigField> configFields() { return List.of(); }\n"
        + "  public PeftMethod create(ConfigSection c) { return new PeftMethod() { }; }\n"
        + "}\n";
    return PluginJars.builder().source(CLASS, source).service(PeftMethodProvider.class.getName(), CLASS)
        .write(tmp.resolve(file));
  }

  /** Records {@code jars} as a run would, through JSON, and reads them back. */
  private List<PluginJarRecord> recordAndRead(Path... jars) throws IOException {
    PluginPath path = PluginPath.of(List.of(jars), "test");
    try (PluginClassLoader loader = new PluginClassLoader(path, getClass().getClassLoader())) {
      List<Map<String, Object>> rows = PluginJarRecord.of(PluginRegistry.discover(loader, path)).stream()
          .map(PluginJarRecord::toMap).toList();
      ObjectMapper json = new ObjectMapper();
      JsonNode provenance = json.readTree(json.writeValueAsString(Map.of(PluginJarRecord.KEY, rows)));
      return PluginJarRecord.read(provenance, tmp.resolve("provenance.json"));
    }
  }

  private List<String> changesAgainst(List<PluginJarRecord> recorded, Path... now) throws IOException {
    PluginPath path = PluginPath.of(List.of(now), "test");
    try (PluginClassLoader loader = new PluginClassLoader(path, getClass().getClassLoader())) {
      return PluginJarRecord.changes(recorded, PluginRegistry.discover(loader, path));
    }
  }

  @Test
  void aRecordHoldsTheJarsPathDigestAndProviders() throws IOException {
    Path jar = jar("rec.jar", "v1");

    List<PluginJarRecord> read = recordAndRead(jar);

    assertThat(read).singleElement().satisfies(r -> {
      assertThat(r.path()).isEqualTo(jar);
      assertThat(r.sha256()).isEqualTo(FileDigests.sha256(jar));
      assertThat(r.providers()).singleElement().satisfies(p -> {
        assertThat(p.kind()).isEqualTo("peft_method");
        assertThat(p.name()).isEqualTo("rec");
        assertThat(p.className()).isEqualTo(CLASS);
      });
    });
  }

  @Test
  void theSameJarUnchangedGivesNoWarningAndARebuiltOneIsNamed() throws IOException {
    Path jar = jar("rec.jar", "v1");
    List<PluginJarRecord> recorded = recordAndRead(jar);
    assertThat(changesAgainst(recorded, jar)).isEmpty();

    jar("rec.jar", "v2");

    assertThat(changesAgainst(recorded, jar)).singleElement().asString()
        .contains("plugin jar " + jar + " changed", "recorded sha256 " + recorded.get(0).sha256(),
            "rec now comes from it with sha256 " + FileDigests.sha256(jar));
  }

  @Test
  void aCopyElsewhereIsTheSamePluginButAnotherBuildElsewhereIsNamed() throws IOException {
    Path jar = jar("rec.jar", "v1");
    List<PluginJarRecord> recorded = recordAndRead(jar);
    Path copy = Files.copy(jar, Files.createDirectories(tmp.resolve("copy")).resolve("rec.jar"));
    Path other = jar("other/rec.jar", "v2");

    assertThat(changesAgainst(recorded, copy)).isEmpty();
    assertThat(changesAgainst(recorded, other)).singleElement().asString()
        .contains("plugin jar " + jar + " changed", "rec now comes from " + other);
  }

  @Test
  void aRecordedJarThatIsGoneIsAnErrorNamingIt() throws IOException {
    Path jar = jar("rec.jar", "v1");
    List<PluginJarRecord> recorded = recordAndRead(jar);
    Files.delete(jar);

    assertThatThrownBy(() -> PluginJarRecord.pluginPath(recorded, tmp.resolve("provenance.json")))
        .isInstanceOf(TfewException.class)
        .hasMessageContaining(jar.toString())
        .hasMessageContaining("no longer exists");
  }

  @Test
  void aRecordWithoutPluginJarsHasNoneAndAMalformedOneIsAnError() throws IOException {
    ObjectMapper json = new ObjectMapper();
    assertThat(PluginJarRecord.read(json.readTree("{\"seed\": 1}"), tmp)).isEmpty();
    assertThatThrownBy(() -> PluginJarRecord.read(json.readTree("{\"plugin_jars\": [{\"path\": 3}]}"), tmp))
        .isInstanceOf(TfewException.class)
        .hasMessageContaining("plugin_jars[0]");
  }
}
