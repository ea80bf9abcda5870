package io.tfew.core.plugin;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.Optional;

/**
 * Where a plugin's class was loaded from: a jar of the plugin path (outside tfew), or tfew's own class path
 * (a module jar of the build, or its classes directory).
 *
 * <pre>{@code
 * PluginOrigin o = registry.origin(registry.method("vera", "peft"));
 * o.outside();    // true
 * o.describe();   // "/home/me/vera-0.1.jar"
 * }</pre>
 *
 * @param location the jar or directory, if the class has one
 * @param outside whether it is a jar of the plugin path
 */
public record PluginOrigin(Optional<Path> location, boolean outside) {
  /** How messages name the class path, whatever module jar a provider is in. */
  public static final String BUILT_IN = "built-in (class path)";

  /**
   * The origin of {@code type}, judged against the jars of {@code path}. A jar that is both on the class path
   * and on the plugin path is loaded by tfew's own class loader (parents first), so its classes are built in.
   */
  public static PluginOrigin of(Class<?> type, PluginPath path) {
    CodeSource source = type.getProtectionDomain().getCodeSource();
    PluginOrigin byLocation = of(source == null ? null : source.getLocation(), path);
    return byLocation.outside() && loadedWithTfew(type) ? new PluginOrigin(byLocation.location(), false) : byLocation;
  }

  private static boolean loadedWithTfew(Class<?> type) {
    ClassLoader defining = type.getClassLoader();
    for (ClassLoader l = PluginOrigin.class.getClassLoader(); l != null; l = l.getParent()) {
      if (l == defining) {
        return true;
      }
    }
    return defining == null;
  }

  /** The origin of a class-path or plugin-path {@code location} (a jar or a directory URL). */
  static PluginOrigin of(URL location, PluginPath path) {
    Optional<Path> file = toPath(location);
    return new PluginOrigin(file, file.isPresent() && path.jars().contains(file.get()));
  }

  static Optional<Path> toPath(URL location) {
    if (location == null || !"file".equals(location.getProtocol())) {
      return Optional.empty();
    }
    try {
      return Optional.of(Path.of(location.toURI()).toAbsolutePath().normalize());
    } catch (URISyntaxException | IllegalArgumentException | FileSystemNotFoundException e) {
      return Optional.empty();
    }
  }

  /** The jar's path for an outside plugin; {@value #BUILT_IN} otherwise. */
  public String describe() {
    return outside ? location.orElseThrow().toString() : BUILT_IN;
  }

  /** As {@link #describe}, with the module jar or directory of a built-in plugin. */
  public String describeWithLocation() {
    return outside ? describe() : BUILT_IN + location.map(l -> " " + l).orElse("");
  }
}
