package io.tfew.core.runtime;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import io.tfew.core.hub.HubSettings;
import io.tfew.core.hub.ModelLocator;
import io.tfew.core.plugin.PluginContext;
import io.tfew.core.plugin.PluginRegistry;

/**
 * Wires a run: where models come from and which plugins are installed. Bindings are chosen here and
 * nowhere else; nothing is loaded until a command asks for it.
 */
public final class TfewModule extends AbstractModule {
  private final HubSettings hub;
  private final PluginContext plugins;

  /** Plugins from the class path and {@code TFEW_PLUGIN_PATH}. */
  public TfewModule(HubSettings hub) {
    this(hub, new PluginContext(System.getenv()));
  }

  /** @param plugins the invocation's plugin path, resolved when a command first asks for a plugin */
  public TfewModule(HubSettings hub, PluginContext plugins) {
    this.hub = hub;
    this.plugins = plugins;
  }

  @Provides
  @Singleton
  HubSettings hubSettings() {
    return hub;
  }

  @Provides
  @Singleton
  ModelLocator modelLocator(HubSettings settings) {
    return new ModelLocator(settings);
  }

  @Provides
  @Singleton
  PluginContext pluginContext() {
    return plugins;
  }

  @Provides
  @Singleton
  PluginRegistry pluginRegistry() {
    return PluginRegistry.deferred(plugins::registry);
  }
}
