package io.tfew.experiments.bench;

import io.tfew.core.testing.SharedFixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Copies of this checkout's {@code bench/} scripts in a throw-away directory, so that a script's test runs it
 * where nothing it writes or stops can touch the checkout.
 *
 * <pre>{@code
 * Path script = BenchScripts.copy("bench/record", tempRepo);   // tempRepo/bench/record, executable
 * }</pre>
 */
final class BenchScripts {
  private BenchScripts() {}

  /** {@code relative} (a path from the repository root) copied to the same path under {@code root}, executable. */
  static Path copy(String relative, Path root) throws IOException {
    Path script = root.resolve(relative);
    Files.createDirectories(script.getParent());
    Files.copy(SharedFixtures.path(relative), script);
    script.toFile().setExecutable(true);
    return script;
  }
}
