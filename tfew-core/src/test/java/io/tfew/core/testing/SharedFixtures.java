package io.tfew.core.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Locates the reference files that the tests read from the repository itself: the parity fixtures
 * ({@code fixtures/}), the T5 tokenizer ({@code tokenizers/t5/}) and the task data
 * ({@code data/}), each with its SOURCE.txt and licence.
 *
 * <p>The paths are relative to the repository root, whatever module a test runs in:
 * <pre>{@code
 * Path tokenizer = SharedFixtures.path("tokenizers/t5/tokenizer.json");
 * }</pre>
 *
 * <p>The root is the nearest directory at or above the working directory that holds both
 * {@code mvnw} and {@code pom.xml}: only the reactor's root has the wrapper, every clone has it, and
 * it does not matter whether Maven (in a module directory) or an IDE launched the test.
 */
public final class SharedFixtures {
  private SharedFixtures() {}

  /** The repository root; fails saying where it looked when no enclosing directory has {@code mvnw}. */
  public static Path root() {
    Path start = Paths.get("").toAbsolutePath().normalize();
    for (Path dir = start; dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("mvnw")) && Files.isRegularFile(dir.resolve("pom.xml"))) {
        return dir;
      }
    }
    throw new IllegalStateException(
        "no repository root (a directory with mvnw and pom.xml) at or above " + start
            + "; run the tests from inside the tfew checkout");
  }

  /** A file or directory under {@link #root()}; fails naming the path when it is missing. */
  public static Path path(String relative) {
    Path p = root().resolve(relative);
    if (!Files.exists(p)) {
      throw new IllegalStateException(
          "test fixture " + p + " is missing from the repository; fixtures/, tokenizers/ and data/"
              + " are committed with the sources");
    }
    return p;
  }
}
