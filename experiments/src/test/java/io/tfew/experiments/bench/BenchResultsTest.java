package io.tfew.experiments.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.tfew.core.testing.SharedFixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The committed records in {@code bench/results/} and the README's citations of them agree: a figure
 * the README attributes to a record names a file that exists, and every record says what ran, on which
 * commit and machine, and under what load.
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
