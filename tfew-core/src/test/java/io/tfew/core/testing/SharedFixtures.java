package io.tfew.core.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Locates the {@code shared} directory (tokenizers, parity fixtures, data) that lives beside the
 * checkout rather than inside it, because its files are large and shared between worktrees.
 *
 * <p>Maven passes the location as the system property {@code tfew.shared}; an IDE run without it
 * falls back to {@code ../../shared} relative to the module directory.
 */
public final class SharedFixtures {
  public static final String PROPERTY = "tfew.shared";

  private SharedFixtures() {}

  /** The shared directory; fails with a message that says how to provide it when it is absent. */
  public static Path root() {
    String configured = System.getProperty(PROPERTY);
    Path root =
        configured == null || configured.isBlank()
            ? Paths.get("..", "..", "shared")
            : Paths.get(configured);
    root = root.toAbsolutePath().normalize();
    if (!Files.isDirectory(root)) {
      throw new IllegalStateException(
          "shared fixture directory "
              + root
              + " does not exist; tests need the ../shared directory beside the checkout"
              + " (or pass -D"
              + PROPERTY
              + "=DIR pointing at it)");
    }
    return root;
  }

  /** A file or directory under {@link #root()}; fails naming the path when it is missing. */
  public static Path path(String relative) {
    Path p = root().resolve(relative);
    if (!Files.exists(p)) {
      throw new IllegalStateException("shared fixture " + p + " is missing; update ../shared");
    }
    return p;
  }
}
