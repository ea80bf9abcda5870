package io.tfew.experiments.run;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The git commit of the tfew checkout the running classes were built from, when there is one. */
final class GitCommit {
  private GitCommit() {}

  static String of(Class<?> anchor) {
    try {
      Path dir = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
      for (Path p = dir; p != null; p = p.getParent()) {
        Path git = p.resolve(".git");
        if (Files.isDirectory(git)) {
          return resolveHead(git);
        }
        if (Files.isRegularFile(git)) {
          // A worktree: ".git" is a file pointing at the real git directory.
          String line = Files.readString(git).trim();
          if (line.startsWith("gitdir:")) {
            return resolveHead(p.resolve(line.substring(7).trim()));
          }
        }
      }
    } catch (IOException | URISyntaxException | RuntimeException e) {
      return "unknown";
    }
    return "unknown";
  }

  private static String resolveHead(Path gitDir) throws IOException {
    String head = Files.readString(gitDir.resolve("HEAD")).trim();
    if (!head.startsWith("ref:")) {
      return head;
    }
    String ref = head.substring(4).trim();
    Path loose = gitDir.resolve(ref);
    Path common = gitDir.resolve("commondir");
    Path base = Files.isRegularFile(common) ? gitDir.resolve(Files.readString(common).trim()) : gitDir;
    if (Files.isRegularFile(loose)) {
      return Files.readString(loose).trim();
    }
    if (Files.isRegularFile(base.resolve(ref))) {
      return Files.readString(base.resolve(ref)).trim();
    }
    Path packed = base.resolve("packed-refs");
    if (Files.isRegularFile(packed)) {
      for (String line : Files.readAllLines(packed)) {
        if (line.endsWith(" " + ref)) {
          return line.substring(0, line.indexOf(' '));
        }
      }
    }
    return "unknown";
  }
}
