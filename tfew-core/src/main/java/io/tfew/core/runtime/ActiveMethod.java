package io.tfew.core.runtime;

import io.tfew.api.config.ConfigSection;
import io.tfew.api.peft.PeftMethodProvider;
import java.nio.file.Path;
import java.util.List;
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

  /** The number of task slots this method needs: one per task adapter, 1 otherwise. */
  public int taskCount() {
    return Math.max(1, taskAdapterDirs.size());
  }
}
