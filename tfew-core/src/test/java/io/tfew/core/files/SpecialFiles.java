package io.tfew.core.files;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** FIFOs and dead process ids for tests (Java cannot make a FIFO itself: {@code mkfifo} does). */
public final class SpecialFiles {
  private SpecialFiles() {}

  /** Makes a FIFO at {@code path}; skips the test where {@code mkfifo} is not available. */
  public static Path fifo(Path path) throws IOException, InterruptedException {
    Process p;
    try {
      p = new ProcessBuilder("mkfifo", path.toString()).redirectErrorStream(true).start();
    } catch (IOException e) {
      assumeTrue(false, "mkfifo is not available: " + e.getMessage());
      throw e;
    }
    assumeTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, "mkfifo failed");
    assumeTrue(FileKind.of(path) == FileKind.FIFO, "mkfifo made no FIFO");
    return path;
  }

  /** The id of a process that has ended (a finished {@code true}). */
  public static long deadPid() throws IOException, InterruptedException {
    Process p = new ProcessBuilder("true").start();
    p.waitFor();
    assumeTrue(!p.isAlive());
    return p.pid();
  }

  /** Whether {@code path}'s content is {@code text}, read without following it if it is a FIFO. */
  public static boolean isRegularWith(Path path, String text) throws IOException {
    return Files.isRegularFile(path) && Files.readString(path).equals(text);
  }
}
