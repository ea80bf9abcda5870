package io.tfew.core.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Supplier;

/**
 * Makes test-only PEFT providers visible to {@code PluginRegistry.discover()} for the duration of a call,
 * the way an installed plugin jar would be: a {@code META-INF/services} file in a temporary directory on a
 * class loader set as the thread's context loader. Tests that need a method outside the built-in set
 * (say {@link VeraLikeProvider}) use it without registering that method for every other test.
 *
 * <pre>{@code
 * String out = ContextPlugins.with(tmp, () -> cli("train", ...), VeraLikeProvider.class);
 * }</pre>
 */
public final class ContextPlugins {
  private ContextPlugins() {}

  @SafeVarargs
  public static <T> T with(Path scratch, Supplier<T> body,
      Class<? extends io.tfew.api.peft.PeftMethodProvider>... providers) {
    Thread thread = Thread.currentThread();
    ClassLoader previous = thread.getContextClassLoader();
    try {
      Path services = scratch.resolve("META-INF/services");
      Files.createDirectories(services);
      Files.writeString(services.resolve(io.tfew.api.peft.PeftMethodProvider.class.getName()),
          String.join("\n", Arrays.stream(providers).map(Class::getName).toList()) + "\n");
      try (URLClassLoader loader = new URLClassLoader(new URL[] {scratch.toUri().toURL()}, previous)) {
        thread.setContextClassLoader(loader);
        return body.get();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      thread.setContextClassLoader(previous);
    }
  }
}
