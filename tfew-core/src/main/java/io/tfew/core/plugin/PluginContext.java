package io.tfew.core.plugin;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The plugins of one tfew invocation: the plugin path from {@code --plugin-path} (which wins) or
 * {@code TFEW_PLUGIN_PATH}, the class loader over its jars and the registry discovered through it.
 *
 * <p>Resolved on first use rather than at start-up, because commands are created before the command line
 * is parsed and {@code train --from} may still supply the path its run recorded. Resolving sets the
 * thread's context class loader to the plugin loader (so a plugin that looks up its own resources or
 * services by the context loader finds them); {@link #close} restores it and closes the jars.
 *
 * <pre>{@code
 * try (PluginContext plugins = new PluginContext(System.getenv())) {
 *   plugins.optionGiven(List.of("/home/me/vera.jar"));
 *   plugins.registry().method("vera", "peft");
 *   plugins.childArguments();   // ["--plugin-path", "/home/me/vera.jar"]
 * }
 * }</pre>
 */
public final class PluginContext implements AutoCloseable {
  /** The environment variable read when no {@code --plugin-path} is given. */
  public static final String ENV = "TFEW_PLUGIN_PATH";
  /** The CLI's global option, given before the command. */
  public static final String OPTION = "--plugin-path";

  private final String environmentValue;
  private List<String> option;
  private PluginPath recorded;
  private PluginPath path;
  private PluginClassLoader loader;
  private PluginRegistry registry;
  private Thread thread;
  private ClassLoader previousContextLoader;

  /** @param environment the process environment ({@link System#getenv()}); tests pass their own */
  public PluginContext(Map<String, String> environment) {
    this.environmentValue = environment.get(ENV);
  }

  /** The values of {@code --plugin-path}, each a path list; called once the command line is parsed. */
  public synchronized void optionGiven(List<String> values) {
    requireUnresolved();
    option = values == null || values.isEmpty() ? null : List.copyOf(values);
  }

  /** Whether the user named a plugin path, by option or environment (an empty one counts). */
  public synchronized boolean pathGiven() {
    return option != null || environmentValue != null;
  }

  /** Uses {@code path} (a re-run's recorded jars) when the user named none; returns whether it did. */
  public synchronized boolean useRecordedPath(PluginPath path) {
    requireUnresolved();
    if (pathGiven()) {
      return false;
    }
    recorded = path;
    return true;
  }

  /** The resolved plugin path; fails with the entry that is not a jar or does not exist. */
  public synchronized PluginPath path() {
    if (path == null) {
      if (option != null) {
        path = PluginPath.parse(String.join(File.pathSeparator, option), OPTION);
      } else if (environmentValue != null) {
        path = PluginPath.parse(environmentValue, ENV);
      } else {
        path = recorded != null ? recorded : PluginPath.NONE;
      }
    }
    return path;
  }

  /** The plugins of tfew's class path and the plugin path; fails naming the jar that cannot be loaded. */
  public synchronized PluginRegistry registry() {
    if (registry == null) {
      PluginPath resolved = path();
      if (resolved.isEmpty()) {
        registry = PluginRegistry.discover(Thread.currentThread().getContextClassLoader(), resolved);
      } else {
        if (loader == null) {
          loader = new PluginClassLoader(resolved, PluginContext.class.getClassLoader());
          thread = Thread.currentThread();
          previousContextLoader = thread.getContextClassLoader();
          thread.setContextClassLoader(loader);
        }
        registry = PluginRegistry.discover(loader, resolved);
      }
    }
    return registry;
  }

  /**
   * What a child process (sweep worker, Slurm task, bench child) puts before its command so that it sees
   * exactly this invocation's jars: {@code --plugin-path JARS}, or nothing when there is no plugin path at
   * all. An empty path is passed explicitly when the environment names one, since the child inherits it.
   */
  public List<String> childArguments() {
    PluginPath resolved = path();
    List<String> args = new ArrayList<>();
    if (!resolved.isEmpty() || environmentValue != null) {
      args.add(OPTION);
      args.add(resolved.text());
    }
    return args;
  }

  private void requireUnresolved() {
    if (path != null) {
      throw new IllegalStateException("the plugin path is already resolved");
    }
  }

  @Override
  public synchronized void close() {
    if (thread != null) {
      thread.setContextClassLoader(previousContextLoader);
      thread = null;
    }
    if (loader != null) {
      try {
        loader.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      loader = null;
    }
  }
}
