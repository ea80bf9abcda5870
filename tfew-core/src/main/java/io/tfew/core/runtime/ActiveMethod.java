package io.tfew.core.runtime;

import io.tfew.api.TfewException;
import io.tfew.api.config.ConfigSection;
import io.tfew.api.peft.PeftMethod;
import io.tfew.api.peft.PeftMethodProvider;
import io.tfew.core.model.SiteRewrites;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A PEFT method to apply: which plugin, its validated options, and where its trained parameters come
 * from: one adapter directory ({@code adapterDir}), one directory per task slot ({@code taskAdapterDirs},
 * for mixed-task batches, where slot {@code t} holds the adapter of task {@code t}), or neither for
 * freshly initialised parameters.
 */
public record ActiveMethod(String name, PeftMethodProvider provider, ConfigSection config,
    Optional<Path> adapterDir, List<Path> taskAdapterDirs) {

  public ActiveMethod {
    taskAdapterDirs = List.copyOf(taskAdapterDirs);
    if (adapterDir.isPresent() && !taskAdapterDirs.isEmpty()) {
      throw new IllegalArgumentException("an active method loads one adapter or one per task, not both");
    }
  }

  /** A method with one adapter directory, or none. */
  public ActiveMethod(String name, PeftMethodProvider provider, ConfigSection config, Optional<Path> adapterDir) {
    this(name, provider, config, adapterDir, List.of());
  }

  /**
   * Fresh methods for one graph build, created from their providers in {@code active}'s order, and the site
   * rewrites they make. {@link LoadedModel} and {@link io.tfew.core.train.TrainableModel} both build their
   * graph from this.
   *
   * @param methods each method by name, in order
   */
  public record Created(Map<String, PeftMethod> methods, SiteRewrites rewrites) {}

  /** Creates every method of {@code active}; a name given twice is refused, naming the config section. */
  public static Created create(List<ActiveMethod> active) {
    Map<String, PeftMethod> methods = new LinkedHashMap<>();
    List<SiteRewrites.Active> rewriters = new ArrayList<>();
    for (ActiveMethod a : active) {
      PeftMethod m = a.provider().create(a.config());
      if (methods.putIfAbsent(a.name(), m) != null) {
        throw new TfewException(a.config().path() + ": PEFT method '" + a.name() + "' is configured twice");
      }
      rewriters.add(new SiteRewrites.Active(a.name(), m, a.config().asMap()));
    }
    return new Created(methods, new SiteRewrites(rewriters));
  }

  /** The number of task slots this method needs: one per task adapter, 1 otherwise. */
  public int taskCount() {
    return Math.max(1, taskAdapterDirs.size());
  }
}
