package io.tfew.core.plugin;

import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;

/**
 * Loads the jars of a {@link PluginPath} as a child of tfew's own class loader, so plugins see the same
 * {@code tfew-api} (and TensorFlow) classes as core. Parent first: a class that tfew itself has wins over
 * a copy in a plugin jar, so a jar that bundles {@code tfew-api} still shares core's interfaces.
 *
 * <pre>{@code
 * try (PluginClassLoader loader = new PluginClassLoader(path, TfewCli.class.getClassLoader())) {
 *   PluginRegistry registry = PluginRegistry.discover(loader, path);
 * }
 * }</pre>
 */
public final class PluginClassLoader extends URLClassLoader {
  static {
    registerAsParallelCapable();
  }

  public PluginClassLoader(PluginPath path, ClassLoader parent) {
    super("tfew-plugins", urls(path), parent);
  }

  private static URL[] urls(PluginPath path) {
    URL[] urls = new URL[path.jars().size()];
    for (int i = 0; i < urls.length; i++) {
      Path jar = path.jars().get(i);
      try {
        urls[i] = jar.toUri().toURL();
      } catch (MalformedURLException e) {
        throw new IllegalArgumentException(jar + ": not a file URL", e);
      }
    }
    return urls;
  }
}
