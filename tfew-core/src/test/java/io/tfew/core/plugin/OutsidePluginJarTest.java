package io.tfew.core.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tfew.api.TfewException;
import io.tfew.api.peft.PeftMethodProvider;
import io.tfew.core.testing.PluginJars;
import io.tfew.core.testing.TestPlugins;
import java.io.IOException;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Plugins from jars outside the class path: found, attributed to their jar, and each way of failing named. */
class OutsidePluginJarTest {
  static final String SERVICE = PeftMethodProvider.class.getName();

  @TempDir
  Path tmp;

  /** A PEFT method provider called {@code name} whose constructor runs {@code constructorBody}. */
  static String provider(String pkg, String cls, String name, String constructorBody) {
    return "package " + pkg + ";\n"
        + "import io.tfew.api.config.ConfigField;\n"
        + "import io.tfew.api.config.ConfigSection;\n"
        + "import io.tfew.api.peft.PeftMethod;\n"
        + "import io.tfew.api.peft.PeftMethodProvider;\n"
        + "import java.util.List;\n"
        + "public final class " + cls + " implements PeftMethodProvider {\n"
        + "  public " + cls + "() { " + constructorBody + " }\n"
        + "  public String name() { return \"" + name + "\"; }\n"
        + "  public String description() { return \"outside test method\"; }\n"
        + "  public List<ConfigField> configFields() { return List.of(); }\n"
        + "  public PeftMethod create(ConfigSection c) { return new PeftMethod() { }; }\n"
        + "}\n";
  }

  static Path outsideJar(Path jar, String name) throws IOException {
    return PluginJars.builder()
        .source("org.example.outside.OutsideProvider", provider("org.example.outside", "OutsideProvider", name, ""))
        .service(SERVICE, "org.example.outside.OutsideProvider")
        .write(jar);
  }

  private PluginRegistry discover(PluginPath path, ClassLoader parent) throws IOException {
    PluginClassLoader loader = new PluginClassLoader(path, parent);
    try {
      return PluginRegistry.discover(loader, path);
    } finally {
      loader.close();
    }
  }

  private TfewException failure(Path jar) {
    PluginPath path = PluginPath.of(List.of(jar), "--plugin-path");
    try (PluginClassLoader loader = new PluginClassLoader(path, getClass().getClassLoader())) {
      PluginRegistry.discover(loader, path);
    } catch (TfewException e) {
      return e;
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("discovery did not fail for " + jar);
  }

  @Test
  void aProviderInAnOutsideJarIsFoundAndAttributedToItsJar() throws IOException {
    Path jar = outsideJar(tmp.resolve("outside.jar"), "outside");
    PluginPath path = PluginPath.of(List.of(jar), "--plugin-path");

    PluginRegistry registry = discover(path, getClass().getClassLoader());

    PeftMethodProvider p = registry.method("outside", "test");
    assertThat(p.getClass().getClassLoader()).isInstanceOf(PluginClassLoader.class);
    assertThat(registry.origin(p).outside()).isTrue();
    assertThat(registry.origin(p).describe()).isEqualTo(jar.toString());
    assertThat(registry.outsideProviders()).containsOnlyKeys(jar);
    assertThat(registry.outsideProviders().get(jar)).singleElement()
        .isEqualTo(new PluginRegistry.Provided("peft_method", "outside", "org.example.outside.OutsideProvider",
            registry.origin(p)));
  }

  @Test
  void aProviderOnTheClassPathIsBuiltIn() throws IOException {
    try (URLClassLoader classPath = TestPlugins.loader(Files.createDirectories(tmp.resolve("cp")))) {
      PluginRegistry registry = discover(PluginPath.NONE, classPath);
      PluginOrigin origin = registry.origin(registry.method("lora", "test"));
      assertThat(origin.outside()).isFalse();
      assertThat(origin.describe()).isEqualTo("built-in (class path)");
      assertThat(registry.outsideProviders()).isEmpty();
    }
  }

  @Test
  void aJarOnBothTheClassPathAndThePluginPathIsBuiltInBecauseTfewsLoaderDefinesItsClasses() {
    // tfew-core's own classes stand for a module jar of the class path that is also given as a plugin jar.
    Path ownLocation = PluginOrigin.of(PluginRegistry.class, PluginPath.NONE).location().orElseThrow();
    PluginPath path = new PluginPath(List.of(ownLocation));

    PluginOrigin origin = PluginOrigin.of(PluginRegistry.class, path);

    assertThat(origin.outside()).isFalse();
    assertThat(origin.describeWithLocation()).isEqualTo("built-in (class path) " + ownLocation);
  }

  @Test
  void aServicesFileNamingAMissingClassNamesTheJarAndTheClass() throws IOException {
    Path jar = PluginJars.builder().service(SERVICE, "org.example.gone.GoneProvider").write(tmp.resolve("gone.jar"));

    assertThat(failure(jar).getMessage())
        .contains("plugin jar " + jar)
        .contains("org.example.gone.GoneProvider")
        .contains("META-INF/services/" + SERVICE)
        .contains("no such class");
  }

  @Test
  void aClassCompiledForANewerJavaSaysWhichJavaItNeeds() throws IOException {
    Path jar = PluginJars.builder()
        .source("org.example.newer.NewerProvider", provider("org.example.newer", "NewerProvider", "newer", ""))
        .service(SERVICE, "org.example.newer.NewerProvider")
        .classFileMajorVersion("org.example.newer.NewerProvider", 66)
        .write(tmp.resolve("newer.jar"));

    assertThat(failure(jar).getMessage())
        .contains("plugin jar " + jar)
        .contains("org.example.newer.NewerProvider")
        .contains("compiled for Java 22")
        .contains("tfew runs on Java " + Runtime.version().feature());
  }

  @Test
  void aConstructorThatThrowsNamesTheJarTheClassAndTheReason() throws IOException {
    Path jar = PluginJars.builder()
        .source("org.example.boom.BoomProvider", provider("org.example.boom", "BoomProvider", "boom",
            "throw new IllegalStateException(\"license file missing\");"))
        .service(SERVICE, "org.example.boom.BoomProvider")
        .write(tmp.resolve("boom.jar"));

    assertThat(failure(jar).getMessage())
        .contains("plugin jar " + jar)
        .contains("org.example.boom.BoomProvider")
        .contains("IllegalStateException: license file missing");
  }

  @Test
  void aServicesEntryThatIsNotAProviderOfTheKindIsNamed() throws IOException {
    Path jar = PluginJars.builder()
        .source("org.example.wrong.NotAProvider", "package org.example.wrong; public class NotAProvider { }")
        .service(SERVICE, "org.example.wrong.NotAProvider")
        .write(tmp.resolve("wrong.jar"));

    assertThat(failure(jar).getMessage())
        .contains("plugin jar " + jar)
        .contains("org.example.wrong.NotAProvider")
        .contains("does not implement " + SERVICE);
  }

  @Test
  void aNameClashWithABuiltInPluginNamesBothClassesAndWhereEachCameFrom() throws IOException {
    Path jar = outsideJar(tmp.resolve("clash.jar"), "lora");
    PluginPath path = PluginPath.of(List.of(jar), "--plugin-path");
    try (URLClassLoader classPath = TestPlugins.loader(Files.createDirectories(tmp.resolve("cp")))) {
      assertThatThrownBy(() -> discover(path, classPath))
          .isInstanceOf(TfewException.class)
          .hasMessageContaining("both named 'lora'")
          .hasMessageContaining(TestPlugins.Lora.class.getName() + " (built-in (class path)")
          .hasMessageContaining("org.example.outside.OutsideProvider (" + jar + ")")
          .hasMessageContaining("from the plugin path");
    }
  }

  @Test
  void aNameClashBetweenTwoOutsideJarsNamesBothJars() throws IOException {
    Path first = outsideJar(tmp.resolve("first.jar"), "twin");
    Path second = PluginJars.builder()
        .source("org.example.other.TwinProvider", provider("org.example.other", "TwinProvider", "twin", ""))
        .service(SERVICE, "org.example.other.TwinProvider")
        .write(tmp.resolve("second.jar"));
    PluginPath path = PluginPath.of(List.of(first, second), "--plugin-path");

    assertThatThrownBy(() -> discover(path, getClass().getClassLoader()))
        .isInstanceOf(TfewException.class)
        .hasMessageContaining("both named 'twin'")
        .hasMessageContaining(first.toString())
        .hasMessageContaining(second.toString());
  }
}
