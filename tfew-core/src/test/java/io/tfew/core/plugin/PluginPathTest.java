package io.tfew.core.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tfew.api.TfewException;
import io.tfew.core.testing.PluginJars;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PluginPathTest {
  @TempDir
  Path tmp;

  private Path jar(String name) throws IOException {
    return PluginJars.builder().service("x.Service", "x.Impl").write(tmp.resolve(name));
  }

  @Test
  void jarsAndDirectoriesResolveInOrderWithEachDirectorysJarsSortedByName() throws IOException {
    Path single = jar("single.jar");
    Path dir = Files.createDirectories(tmp.resolve("dir"));
    Path b = jar("dir/b.jar");
    Path a = jar("dir/a.jar");
    Files.writeString(dir.resolve("notes.txt"), "not a jar, and not named *.jar");

    PluginPath path = PluginPath.parse(dir + File.pathSeparator + single, "--plugin-path");

    assertThat(path.jars()).containsExactly(a, b, single);
    assertThat(path.text()).isEqualTo(a + File.pathSeparator + b + File.pathSeparator + single);
  }

  @Test
  void relativeEntriesBecomeAbsoluteAndAJarGivenTwiceCountsOnce() throws IOException {
    Path single = jar("single.jar");
    Path relative = Path.of("").toAbsolutePath().relativize(single);

    PluginPath path = PluginPath.parse(relative + File.pathSeparator + File.pathSeparator + single, "--plugin-path");

    assertThat(path.jars()).containsExactly(single);
    assertThat(path.jars().get(0)).isAbsolute();
  }

  @Test
  void anEmptyTextOrAnEmptyDirectoryIsNoPlugins() throws IOException {
    assertThat(PluginPath.parse("", "--plugin-path").isEmpty()).isTrue();
    assertThat(PluginPath.parse(Files.createDirectories(tmp.resolve("empty")).toString(), "x").jars()).isEmpty();
  }

  @Test
  void aMissingEntryIsAnErrorNamingItAndTheSource() {
    Path missing = tmp.resolve("nowhere/vera.jar");

    assertThatThrownBy(() -> PluginPath.parse(missing.toString(), "TFEW_PLUGIN_PATH"))
        .isInstanceOf(TfewException.class)
        .hasMessageContaining("TFEW_PLUGIN_PATH")
        .hasMessageContaining(missing.toString())
        .hasMessageContaining("does not exist");
  }

  @Test
  void aFileThatIsNotAJarIsAnErrorNamingIt() throws IOException {
    Path text = Files.writeString(tmp.resolve("vera.jar"), "this is not a zip file");

    assertThatThrownBy(() -> PluginPath.parse(text.toString(), "--plugin-path"))
        .isInstanceOf(TfewException.class)
        .hasMessageContaining(text.toString())
        .hasMessageContaining("not a jar");
  }

  @Test
  void aBrokenJarInADirectoryIsNamed() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("plugins"));
    jar("plugins/good.jar");
    Path bad = Files.writeString(dir.resolve("bad.jar"), "truncated");

    assertThatThrownBy(() -> PluginPath.parse(dir.toString(), "--plugin-path"))
        .isInstanceOf(TfewException.class)
        .hasMessageContaining(bad.toString());
  }

  @Test
  void theOptionWinsOverTheEnvironmentAndChildrenGetTheResolvedJars() throws IOException {
    Path fromEnv = jar("env.jar");
    Path fromOption = jar("option.jar");
    try (PluginContext plugins = new PluginContext(Map.of(PluginContext.ENV, fromEnv.toString()))) {
      plugins.optionGiven(List.of(fromOption.toString()));
      assertThat(plugins.path().jars()).containsExactly(fromOption);
      assertThat(plugins.childArguments()).containsExactly("--plugin-path", fromOption.toString());
    }
    try (PluginContext plugins = new PluginContext(Map.of(PluginContext.ENV, tmp.toString()))) {
      plugins.optionGiven(null);
      assertThat(plugins.path().jars()).containsExactly(fromEnv, fromOption);
      assertThat(plugins.childArguments())
          .containsExactly("--plugin-path", fromEnv + File.pathSeparator + fromOption);
    }
  }

  @Test
  void withoutAnyPluginPathChildrenGetNoOptionButAnEmptyOptionOverridesTheirEnvironment() throws IOException {
    try (PluginContext none = new PluginContext(Map.of())) {
      assertThat(none.childArguments()).isEmpty();
    }
    try (PluginContext cleared = new PluginContext(Map.of(PluginContext.ENV, jar("env.jar").toString()))) {
      cleared.optionGiven(List.of(""));
      assertThat(cleared.path().isEmpty()).isTrue();
      assertThat(cleared.childArguments()).containsExactly("--plugin-path", "");
    }
  }

  @Test
  void aRecordedPathIsUsedOnlyWhenTheUserNamedNone() throws IOException {
    PluginPath recorded = PluginPath.of(List.of(jar("recorded.jar")), "provenance.json");
    try (PluginContext plugins = new PluginContext(Map.of())) {
      assertThat(plugins.useRecordedPath(recorded)).isTrue();
      assertThat(plugins.path()).isEqualTo(recorded);
    }
    try (PluginContext plugins = new PluginContext(Map.of(PluginContext.ENV, ""))) {
      assertThat(plugins.useRecordedPath(recorded)).isFalse();
      assertThat(plugins.path().isEmpty()).isTrue();
    }
  }
}
