package io.tfew.experiments.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.tfew.core.testing.SharedFixtures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The committed records in {@code bench/results/} and the README's citations of them agree: a figure
 * the README attributes to a record names a file that exists, every record file is one git tracks (where git
 * is there to ask), and every record says what ran, on which commit and machine, and under what load.
 */
class BenchResultsTest {
  private static final Pattern CITED = Pattern.compile("bench/results/([A-Za-z0-9][A-Za-z0-9._-]*\\.txt)");

  @Test
  void everyRecordTheReadmeCitesIsCommitted() throws IOException {
    String readme = Files.readString(SharedFixtures.path("README.md"));
    Matcher m = CITED.matcher(readme);
    int cited = 0;
    while (m.find()) {
      cited++;
      assertThat(SharedFixtures.root().resolve("bench/results").resolve(m.group(1)))
          .as("README.md cites %s", m.group()).isRegularFile();
    }
    assertThat(cited).as("README.md cites records in bench/results").isPositive();
  }

  /** The file names git tracks in bench/results, or null outside a git work tree or without git. */
  private static Set<String> trackedRecords() throws IOException {
    Path root = SharedFixtures.root();
    if (!Files.exists(root.resolve(".git"))) {
      return null;
    }
    Process git;
    try {
      git = new ProcessBuilder("git", "ls-files", "--", "bench/results").directory(root.toFile())
          .redirectErrorStream(true).start();
    } catch (IOException noGit) {
      return null;
    }
    List<String> lines;
    try (var out = git.getInputStream()) {
      lines = new String(out.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
    }
    try {
      if (git.waitFor() != 0) {
        return null;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
    Set<String> names = new TreeSet<>();
    for (String line : lines) {
      names.add(line.substring(line.lastIndexOf('/') + 1));
    }
    return names;
  }

  @Test
  void everyRecordHoldsItsCommandCommitMachineLoadDateAndOutput() throws IOException {
    List<Path> records = records();
    assertThat(records).isNotEmpty();
    for (Path record : records) {
      List<String> lines = Files.readAllLines(record);
      String name = record.getFileName().toString();
      assertThat(lines).as(name).hasSizeGreaterThan(6);
      assertThat(lines.get(0)).as(name).startsWith("command: ");
      assertThat(lines.get(1)).as(name).matches("commit: [0-9a-f]{7,40}(\\+dirty)?");
      assertThat(lines.get(2)).as(name).startsWith("machine: ");
      assertThat(lines.get(3)).as(name).matches("load average before: [0-9.]+ [0-9.]+ [0-9.]+");
      assertThat(lines).as(name).anyMatch(l -> l.matches("date: \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ"))
          .contains("output:").anyMatch(l -> l.matches("load average after: [0-9.]+ [0-9.]+ [0-9.]+"));
    }
  }

  /** A record in the working tree that git does not track would pass here and be missing from a clean clone. */
  @Test
  void everyRecordIsTrackedByGitWhereGitIsThereToAsk() throws IOException {
    Set<String> tracked = trackedRecords();
    if (tracked == null) {
      return;
    }
    for (Path record : records()) {
      assertThat(tracked).as("git tracks %s (git add it)", record.getFileName())
          .contains(record.getFileName().toString());
    }
  }

  @Test
  void theIndexListsEveryRecord() throws IOException {
    String index = Files.readString(SharedFixtures.path("bench/results/README.md"));
    for (Path record : records()) {
      // NAME-wip.txt: a record of work in progress, kept for the branch that took it, quoted nowhere.
      if (record.getFileName().toString().endsWith("-wip.txt")) {
        continue;
      }
      assertThat(index).as("bench/results/README.md lists %s", record.getFileName())
          .contains("`" + record.getFileName() + "`");
    }
  }

  private static List<Path> records() throws IOException {
    try (Stream<Path> files = Files.list(SharedFixtures.path("bench/results"))) {
      return files.filter(p -> p.getFileName().toString().endsWith(".txt"))
          .filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
    }
  }
}
