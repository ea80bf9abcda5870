package io.tfew.core.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tfew.api.TfewException;
import io.tfew.api.config.ConfigField;
import io.tfew.api.config.ConfigSection;
import io.tfew.api.peft.PeftMethod;
import io.tfew.api.peft.PeftMethodProvider;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

// Public, with public nested providers, because ServiceLoader instantiates them reflectively.
public class PluginRegistryTest {

  /** Minimal provider; subclasses only change the name (and the PEFT type). */
  public abstract static class TestProvider implements PeftMethodProvider {
    @Override
    public String description() {
      return "test provider " + getClass().getSimpleName();
    }

    @Override
    public List<ConfigField> configFields() {
      return List.of();
    }

    @Override
    public PeftMethod create(ConfigSection config) {
      return new PeftMethod() { };
    }
  }

  public static final class AlphaOne extends TestProvider {
    @Override
    public String name() {
      return "alpha";
    }
  }

  public static final class AlphaTwo extends TestProvider {
    @Override
    public String name() {
      return "alpha";
    }
  }

  public static final class Beta extends TestProvider {
    @Override
    public String name() {
      return "beta";
    }

    @Override
    public Optional<String> peftType() {
      return Optional.of("IA3");
    }
  }

  public static final class BadName extends TestProvider {
    @Override
    public String name() {
      return "Bad-Name";
    }
  }

  @TempDir
  Path tmp;

  /** A class loader whose only service registration lists {@code providers} as PEFT methods. */
  private URLClassLoader loaderListing(String... providers) throws IOException {
    Path services = Files.createDirectories(tmp.resolve("META-INF/services"));
    Files.writeString(services.resolve(PeftMethodProvider.class.getName()),
        String.join("\n", providers) + "\n", StandardCharsets.UTF_8);
    return new URLClassLoader(new URL[] {tmp.toUri().toURL()}, getClass().getClassLoader());
  }

  @Test
  void twoMethodsUnderOneNameAreAnErrorNamingBothClasses() throws IOException {
    try (URLClassLoader loader = loaderListing(AlphaOne.class.getName(), AlphaTwo.class.getName())) {
      assertThatThrownBy(() -> PluginRegistry.discover(loader))
          .isInstanceOf(TfewException.class)
          .hasMessageContainingAll("'alpha'", AlphaOne.class.getName(), AlphaTwo.class.getName());
    }
  }

  @Test
  void anInvalidNameIsAnErrorNamingTheClassAndTheName() throws IOException {
    try (URLClassLoader loader = loaderListing(BadName.class.getName())) {
      assertThatThrownBy(() -> PluginRegistry.discover(loader))
          .isInstanceOf(TfewException.class)
          .hasMessageContainingAll(BadName.class.getName(), "'Bad-Name'", "lowercase");
    }
  }

  @Test
  void anUnloadableRegistrationIsATfewException() throws IOException {
    try (URLClassLoader loader = loaderListing("io.tfew.nowhere.Missing")) {
      assertThatThrownBy(() -> PluginRegistry.discover(loader))
          .isInstanceOf(TfewException.class)
          .hasMessageContainingAll("io.tfew.nowhere.Missing", "META-INF/services/" + PeftMethodProvider.class.getName());
    }
  }

  @Test
  void installedMethodsAreFoundByNameAndPeftType() throws IOException {
    try (URLClassLoader loader = loaderListing(Beta.class.getName(), AlphaOne.class.getName())) {
      PluginRegistry registry = PluginRegistry.discover(loader);

      assertThat(registry.methods().keySet()).containsExactly("alpha", "beta");
      assertThat(registry.method("alpha", "here")).isInstanceOf(AlphaOne.class);
      // Names are case-insensitive on lookup: YAML written as "Beta" still finds beta.
      assertThat(registry.method("Beta", "here")).isInstanceOf(Beta.class);
      assertThat(registry.methodForPeftType("ia3")).get().isInstanceOf(Beta.class);
      assertThat(registry.methodForPeftType("LORA")).isEmpty();
      assertThat(registry.losses()).isEmpty();
      assertThat(registry.evaluators()).isEmpty();
    }
  }

  @Test
  void anUnknownMethodListsTheInstalledNames() throws IOException {
    try (URLClassLoader loader = loaderListing(Beta.class.getName(), AlphaOne.class.getName())) {
      PluginRegistry registry = PluginRegistry.discover(loader);

      assertThatThrownBy(() -> registry.method("nope", "where"))
          .isInstanceOf(TfewException.class)
          .hasMessage("where: no PEFT method named 'nope' is installed; installed: alpha, beta");
    }
  }

  @Test
  void anEmptyKindSaysNoneIsInstalled() throws IOException {
    try (URLClassLoader loader = loaderListing(Beta.class.getName())) {
      PluginRegistry registry = PluginRegistry.discover(loader);

      assertThatThrownBy(() -> registry.loss("tfew", "experiment.yaml: loss"))
          .isInstanceOf(TfewException.class)
          .hasMessageContainingAll("experiment.yaml: loss", "no loss named 'tfew'", "(none;");
    }
  }
}
