package io.tfew.experiments.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tfew.api.TfewException;
import io.tfew.core.files.FileKind;
import io.tfew.core.files.InputFile;
import io.tfew.core.train.TrainingCheckpoint;
import io.tfew.experiments.config.ConfigDifference;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * What a run directory already holds, checked before {@code tfew train} writes into it: a finished run or
 * a training state of another config is not silently overwritten (nor resumed: the checkpoint would be
 * recorded against the new config), the way a sweep refuses a cell directory of another config.
 *
 * <pre>{@code
 * Optional<String> replaced = RunDirectory.claim(dir, config.resolved().toYaml(), resume, force);
 * replaced.ifPresent(err::println); // only with force: what was removed
 * }</pre>
 */
public final class RunDirectory {
  /** The resolved config a run records first, before anything else. */
  public static final String CONFIG = "config.resolved.yaml";

  // Everything ExperimentSession.run writes; --force removes these names and nothing else.
  private static final List<String> OUTPUTS = List.of("checkpoint", "adapter", "predictions", "metrics.jsonl",
      "provenance.json", CONFIG);

  private RunDirectory() {}

  /**
   * Checks that a run of {@code configYaml} may write into {@code dir}. A directory with a finished run or a
   * training state recorded under another config is refused, naming the keys that differ, unless
   * {@code force}: then its run's files are removed and the returned line says what was replaced.
   */
  public static Optional<String> claim(Path dir, String configYaml, boolean force) {
    boolean finished = finished(dir);
    boolean partial = TrainingCheckpoint.exists(dir.resolve("checkpoint"));
    Path recorded = dir.resolve(CONFIG);
    if ((!finished && !partial) || FileKind.of(recorded) == FileKind.ABSENT) {
      // Nothing worth keeping (a run that failed before its first checkpoint), or nothing to compare with.
      return Optional.empty();
    }
    InputFile.regular(recorded, "it records the run's config: restore it or give another --out");
    List<String> differing;
    try {
      String old = Files.readString(recorded);
      if (old.equals(configYaml)) {
        return Optional.empty();
      }
      differing = ConfigDifference.keys(tree(old), tree(configYaml));
    } catch (IOException | RuntimeException e) {
      throw new TfewException(recorded + ": cannot be read as the run's config (" + e.getClass().getSimpleName()
          + "); give another --out, or --force to replace the run");
    }
    if (differing.isEmpty()) {
      return Optional.empty();
    }
    String what = (finished ? "a finished run" : "the training state of a run") + " of another config (differing: "
        + String.join(", ", differing) + "; see " + recorded + ")";
    if (!force) {
      throw new TfewException(dir + ": holds " + what + "; give another --out, or --force to replace that run");
    }
    for (String name : OUTPUTS) {
      delete(dir.resolve(name));
    }
    return Optional.of("replaced " + what + " in " + dir);
  }

  /**
   * The dotted keys at which {@code dir}'s recorded config differs from {@code configYaml}; empty when they
   * agree or when there is no readable record to compare with.
   */
  public static List<String> differingKeys(Path dir, String configYaml) {
    Path recorded = dir.resolve(CONFIG);
    if (FileKind.followed(recorded) != FileKind.REGULAR) {
      return List.of();
    }
    try {
      return ConfigDifference.keys(tree(Files.readString(recorded)), tree(configYaml));
    } catch (IOException | RuntimeException e) {
      return List.of();
    }
  }

  /** Whether {@code dir/provenance.json} records {@code finished}. */
  public static boolean finished(Path dir) {
    Path file = dir.resolve("provenance.json");
    if (FileKind.followed(file) != FileKind.REGULAR) {
      return false;
    }
    try {
      JsonNode node = new ObjectMapper().readTree(file.toFile());
      return node != null && node.hasNonNull("finished");
    } catch (IOException e) {
      return false;
    }
  }

  private static Map<?, ?> tree(String yaml) {
    Object loaded = new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
    return loaded instanceof Map<?, ?> map ? map : Map.of();
  }

  private static void delete(Path path) {
    try {
      if (Files.isDirectory(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
        Files.walkFileTree(path, new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
            Files.delete(file);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
            Files.delete(d);
            return FileVisitResult.CONTINUE;
          }
        });
      } else {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      throw new TfewException(path + ": cannot remove the replaced run's file (" + e.getMessage() + ")");
    }
  }
}
