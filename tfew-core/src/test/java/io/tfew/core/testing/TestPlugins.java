package io.tfew.core.testing;

import io.tfew.api.config.ConfigField;
import io.tfew.api.config.ConfigSection;
import io.tfew.api.eval.Evaluator;
import io.tfew.api.eval.EvaluatorProvider;
import io.tfew.api.loss.Loss;
import io.tfew.api.loss.LossProvider;
import io.tfew.api.peft.PeftMethod;
import io.tfew.api.peft.PeftMethodProvider;
import io.tfew.core.plugin.PluginRegistry;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.List;

/**
 * A plugin registry for config tests, discovered from META-INF/services files written to a temporary
 * directory, as PluginRegistryTest does, and from nothing else on the class path. Public with public nested providers: ServiceLoader instantiates
 * them reflectively.
 */
public final class TestPlugins {
  private TestPlugins() {}

  /** A few keys of each type, one required, like a LoRA-style method. */
  public static final class Lora implements PeftMethodProvider {
    public String name() {
      return "lora";
    }

    public String description() {
      return "test lora";
    }

    public List<ConfigField> configFields() {
      return List.of(ConfigField.ofInt("r", null, "rank r"), ConfigField.ofDouble("alpha", 8.0, "scale numerator"));
    }

    public PeftMethod create(ConfigSection c) {
      return null;
    }
  }

  public static final class Ia3 implements PeftMethodProvider {
    public String name() {
      return "ia3";
    }

    public String description() {
      return "test ia3";
    }

    public List<ConfigField> configFields() {
      return List.of(ConfigField.ofDouble("init", 1.0, "initial scale"),
          ConfigField.ofStrings("targets", List.of("k", "v"), "target sites"));
    }

    public PeftMethod create(ConfigSection c) {
      return null;
    }
  }

  /** Losses without keys. */
  public abstract static class PlainLoss implements LossProvider {
    public String description() {
      return "test loss";
    }

    public List<ConfigField> configFields() {
      return List.of();
    }

    public Loss create(ConfigSection c) {
      return null;
    }
  }

  public static final class Lm extends PlainLoss {
    public String name() {
      return "lm";
    }
  }

  public static final class Unlikelihood extends PlainLoss {
    public String name() {
      return "unlikelihood";
    }
  }

  /** A loss with a key of its own, written in the map form of {@code losses}. */
  public static final class LengthNorm extends PlainLoss {
    public String name() {
      return "length_norm";
    }

    @Override
    public List<ConfigField> configFields() {
      return List.of(ConfigField.ofDouble("temperature", 1.0, "softmax temperature"));
    }
  }

  public abstract static class PlainEvaluator implements EvaluatorProvider {
    public String description() {
      return "test evaluator";
    }

    public List<ConfigField> configFields() {
      return List.of();
    }

    public Evaluator create(ConfigSection c) {
      return null;
    }
  }

  public static final class Accuracy extends PlainEvaluator {
    public String name() {
      return "accuracy";
    }
  }

  public static final class F1 extends PlainEvaluator {
    public String name() {
      return "f1";
    }
  }

  /** A loader whose only service registrations are the classes above; close it after the test. */
  public static URLClassLoader loader(Path dir) throws IOException {
    return loader(dir, true);
  }

  /** With {@code withPlugins} false, a loader registering none (every kind empty). */
  public static URLClassLoader loader(Path dir, boolean withPlugins) throws IOException {
    Path services = Files.createDirectories(dir.resolve("META-INF/services"));
    write(services, PeftMethodProvider.class, withPlugins, Lora.class, Ia3.class);
    write(services, LossProvider.class, withPlugins, Lm.class, Unlikelihood.class, LengthNorm.class);
    write(services, EvaluatorProvider.class, withPlugins, Accuracy.class, F1.class);
    return new URLClassLoader(new URL[] {dir.toUri().toURL()}, TestPlugins.class.getClassLoader()) {
      @Override
      public Enumeration<URL> getResources(String name) throws IOException {
        // Only this loader's service files count: a module whose test class path also holds the real plugins
        // (experiments, tfew-cli) would otherwise see two providers of each name.
        return name.startsWith("META-INF/services/") ? findResources(name) : super.getResources(name);
      }
    };
  }

  public static PluginRegistry registry(URLClassLoader loader) {
    return PluginRegistry.discover(loader);
  }

  private static void write(Path services, Class<?> service, boolean withPlugins, Class<?>... providers)
      throws IOException {
    StringBuilder sb = new StringBuilder();
    if (withPlugins) {
      for (Class<?> p : providers) {
        sb.append(p.getName()).append('\n');
      }
    }
    Files.writeString(services.resolve(service.getName()), sb.toString(), StandardCharsets.UTF_8);
  }
}
