package io.tfew.core.runtime;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import io.tfew.core.hub.HubSettings;
import io.tfew.core.hub.ModelLocator;
import io.tfew.core.plugin.PluginRegistry;

/**
 * Wires a run: where models come from and which plugins are installed. Bindings are chosen here and
 * nowhere else; nothing is loaded until a command asks for it.
 */
public final class TfewModule extends AbstractModule {
  private final HubSettings hub;

  public TfewModule(HubSettings hub) {
    this.hub = hub;
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
  PluginRegistry pluginRegistry() {
    return PluginRegistry.discover();
  }
}
