package io.tfew.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tfew.api.peft.PeftMethodProvider;
import io.tfew.core.plugin.PluginContext;
import io.tfew.core.testing.PluginJars;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --plugin-path} and {@code TFEW_PLUGIN_PATH} through the CLI: found, listed, and failures as exit 2. */
class PluginPathCliTest {
  private static final String SERVICE = PeftMethodProvider.class.getName();

  @TempDir
  Path tmp;

  private static String provider(String cls, String name, String constructorBody) {
    return "package org.example.cli;\n"
        + "import io.tfew.api.config.ConfigField;\n"
        + "import io.tfew.api.config.ConfigSection;\n"
        + "import io.tfew.api.peft.PeftMethod;\n"
        + "import io.tfew.api.peft.PeftMethodProvider;\n"
        + "import java.util.List;\n"
        + "public final class " + cls + " implements PeftMethodProvider {\n"
        + "  public " + cls + "() { " + constructorBody + " }\n"
        + "  public String name() { return \"" + name + "\"; }\n"
        + "  public String description() { return \"an outside method\"; }\n"
        + "  public List<ConfigField> configFields() {\n"
        + "    return List.of(ConfigField.ofDouble(\"scale\", 1.0, \"how much\"));\n"
        + "  }\n"
        + "  public PeftMethod create(ConfigSection c) { return new PeftMethod() { }; }\n"
        + "}\n";
  }

  private Path jar(String file, String cls, String name, String constructorBody) throws IOException {
    return PluginJars.builder()
        .source("org.example.cli." + cls, provider(cls, name, constructorBody))
        .service(SERVICE, "org.example.cli." + cls)
        .write(tmp.resolve(file));
  }

  private static CliRun run(Map<String, String> env, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit;
    try (PrintWriter o = new PrintWriter(out); PrintWriter e = new PrintWriter(err)) {
      exit = TfewCli.run(args, o, e, env);
    }
    return new CliRun(exit, out.toString(), err.toString());
  }

  @Test
  void pluginsListsAnOutsideMethodWithItsJar() throws IOException {
    Path jar = jar("vera.jar", "VeraProvider", "vera", "");

    CliRun run = CliRun.of("--plugin-path", jar.toString(), "plugins");

    assertThat(run.exit()).as(run.toString()).isZero();
    assertThat(run.outLines()).containsSubsequence("PEFT methods:", "  vera - an outside method",
        "      from: " + jar);
  }

  @Test
  void theOptionMayFollowTheCommandButNotBeGivenTwice() throws IOException {
    Path jar = jar("after.jar", "AfterProvider", "after", "");

    CliRun after = CliRun.of("plugins", "--plugin-path", jar.toString());
    CliRun twice = CliRun.of("--plugin-path", jar.toString(), "plugins", "--plugin-path", jar.toString());

    assertThat(after.exit()).as(after.toString()).isZero();
    assertThat(after.outLines()).containsSubsequence("  after - an outside method", "      from: " + jar);
    assertThat(twice.exit()).isEqualTo(2);
    assertThat(twice.err()).contains("--plugin-path is given both after 'tfew' and after 'tfew plugins'");
  }

  @Test
  void theEnvironmentVariableAddsPluginsAndTheOptionReplacesIt() throws IOException {
    Path envJar = jar("env.jar", "EnvProvider", "from_env", "");
    Path optionJar = jar("option.jar", "OptionProvider", "from_option", "");
    Map<String, String> env = Map.of(PluginContext.ENV, envJar.toString());

    CliRun fromEnv = run(env, "plugins");
    CliRun fromOption = run(env, "--plugin-path=" + optionJar, "plugins");

    assertThat(fromEnv.exit()).as(fromEnv.toString()).isZero();
    assertThat(fromEnv.out()).contains("from_env - ", "from: " + envJar).doesNotContain("from_option");
    assertThat(fromOption.exit()).as(fromOption.toString()).isZero();
    assertThat(fromOption.out()).contains("from_option - ", "from: " + optionJar).doesNotContain("from_env");
  }

  @Test
  void aMissingJarIsExitTwoNamingItWithoutAStackTrace() {
    Path missing = tmp.resolve("missing.jar");

    CliRun run = CliRun.of("--plugin-path", missing.toString(), "plugins");

    assertThat(run.exit()).isEqualTo(TfewCli.USAGE);
    assertThat(run.err()).startsWith("tfew: error: --plugin-path: " + missing).doesNotContain("\tat ");
  }

  @Test
  void aFileThatIsNotAJarInTheEnvironmentIsExitTwoNamingTheVariable() throws IOException {
    Path notJar = Files.writeString(tmp.resolve("notes.jar"), "plain text");

    CliRun run = run(Map.of(PluginContext.ENV, notJar.toString()), "plugins");

    assertThat(run.exit()).isEqualTo(TfewCli.USAGE);
    assertThat(run.err()).contains("TFEW_PLUGIN_PATH", notJar.toString(), "not a jar").doesNotContain("\tat ");
  }

  @Test
  void aProviderWhoseConstructorThrowsIsExitTwoNamingTheJarAndTheReason() throws IOException {
    Path jar = jar("boom.jar", "BoomProvider", "boom", "throw new IllegalStateException(\"no licence\");");

    CliRun run = CliRun.of("--plugin-path", jar.toString(), "plugins");

    assertThat(run.exit()).isEqualTo(TfewCli.USAGE);
    assertThat(run.err()).contains(jar.toString(), "org.example.cli.BoomProvider", "no licence")
        .doesNotContain("\tat ");
  }

  @Test
  void theContextClassLoaderIsRestoredAfterARun() throws IOException {
    Path jar = jar("vera.jar", "VeraProvider", "vera", "");
    ClassLoader before = Thread.currentThread().getContextClassLoader();

    CliRun run = CliRun.of("--plugin-path", jar.toString(), "plugins");

    assertThat(run.exit()).as(run.toString()).isZero();
    assertThat(Thread.currentThread().getContextClassLoader()).isSameAs(before);
  }
}
