package io.tfew.experiments.run;

import io.tfew.api.TfewException;
import io.tfew.experiments.config.ExperimentConfig;
import io.tfew.experiments.config.Origin;
import io.tfew.experiments.config.ResolvedConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The files a run reads, resolved once from its config: a relative path is relative to the file that set
 * its key (so recipes live beside their data), and each file must exist. The data loader, the provenance's
 * portable config and the run directory all read these values instead of resolving the keys again.
 *
 * <pre>{@code
 * RunPaths paths = RunPaths.of(config);
 * RunData data = RunData.load(config, paths, tokenizer);
 * }</pre>
 *
 * @param model the model reference as the locator should see it ({@link #model(ExperimentConfig)})
 * @param trainData {@code data.train.path}
 * @param evalData {@code data.eval.path}, when the config has evaluation data
 * @param templates {@code data.templates.file}, when set
 */
public record RunPaths(String model, Path trainData, Optional<Path> evalData, Optional<Path> templates) {

  /** Resolves every file {@code config} names; a missing one is an error naming its key and where it was set. */
  public static RunPaths of(ExperimentConfig config) {
    ResolvedConfig resolved = config.resolved();
    Optional<Path> eval = config.data().eval().present()
        ? Optional.of(file(resolved, "data.eval.path", config.data().eval().path())) : Optional.empty();
    Optional<Path> templates = config.data().templates().file().isEmpty()
        ? Optional.empty() : Optional.of(file(resolved, "data.templates.file", config.data().templates().file()));
    return new RunPaths(model(config), file(resolved, "data.train.path", config.data().train().path()), eval,
        templates);
  }

  /**
   * The model reference as the locator should see it: a relative directory next to the config file that
   * named it wins over one in the working directory or a repo id of the same spelling.
   */
  public static String model(ExperimentConfig config) {
    String value = config.model();
    Path p = Path.of(value);
    Origin origin = config.resolved().origin("model");
    if (!p.isAbsolute() && origin.kind() == Origin.Kind.FILE && origin.file() != null) {
      Path parent = Path.of(origin.file()).toAbsolutePath().getParent();
      if (parent != null && Files.isDirectory(parent.resolve(p))) {
        return parent.resolve(p).normalize().toString();
      }
    }
    return value;
  }

  private static Path file(ResolvedConfig config, String key, String value) {
    Path p = Path.of(value);
    if (!p.isAbsolute()) {
      Origin origin = config.origin(key);
      if (origin.kind() == Origin.Kind.FILE && origin.file() != null) {
        Path parent = Path.of(origin.file()).toAbsolutePath().getParent();
        p = parent == null ? p : parent.resolve(p);
      }
    }
    p = p.toAbsolutePath().normalize();
    if (!Files.isRegularFile(p)) {
      throw new TfewException(config.locate(key) + ": no such file " + p);
    }
    return p;
  }
}
