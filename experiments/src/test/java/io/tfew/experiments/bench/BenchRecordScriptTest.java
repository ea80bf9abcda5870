package io.tfew.experiments.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bench/record}, the script that keeps every benchmark figure the README quotes as a record in
 * {@code bench/results/}. It runs on a copy of the script in a throw-away git repository, so no record
 * lands in this checkout, and with a stand-in for {@code /proc} so the machine and load lines are known.
 */
class BenchRecordScriptTest {
  @TempDir Path repo;
  private Path proc;

  @BeforeEach
  void aRepositoryWithTheScript() throws Exception {
    BenchScripts.copy("bench/record", repo);
    Files.writeString(repo.resolve("tracked.txt"), "one\n");
    Files.createDirectories(repo.resolve("sub"));
    Files.writeString(repo.resolve("sub/.keep"), "");
    git("init", "-q");
    git("add", ".");
    git("commit", "-q", "-m", "start");

    // Untracked, so it does not make the tree dirty.
    proc = repo.resolve("fake-proc");
    Files.createDirectories(proc);
    cpuinfo(4, 2, "fpu sse2 avx avx2 avx512f avx512bw avx512_bf16");
    Files.writeString(proc.resolve("meminfo"), "MemTotal:       24683568 kB\nMemFree:  1000 kB\n");
    load("0.20 0.30 0.40");
  }

  @Test
  void aRecordHoldsTheCommandCommitMachineLoadDateWallTimeStatusAndOutput() throws Exception {
    Run run = recordRun(repo.resolve("sub"), "quiet", "--", "sh", "-c", "pwd; echo to-stderr >&2; echo 'two words'");

    assertThat(run.status).isZero();
    String record = Files.readString(repo.resolve("bench/results/quiet.txt"));
    List<String> lines = record.lines().toList();
    assertThat(lines.get(0)).isEqualTo("command: sh -c pwd\\;\\ echo\\ to-stderr\\ \\>\\&2\\;\\ echo\\ \\'two\\ words\\'");
    assertThat(lines.get(1)).isEqualTo("commit: " + git("rev-parse", "--short", "HEAD").strip());
    assertThat(lines.get(2)).isEqualTo(
        "machine: Test CPU 9000, cpu family 25, AVX2, AVX-512 (avx512_bf16 avx512bw avx512f), 2 cores, 4 threads, 24 GiB RAM");
    assertThat(lines.get(3)).isEqualTo("load average before: 0.20 0.30 0.40");
    assertThat(lines.get(4)).matches("date: \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
    // The command ran from the repository root, not from where the script was called; stderr is kept.
    assertThat(lines.subList(5, 9)).containsExactly(
        "output:", repo.toAbsolutePath().toString(), "to-stderr", "two words");
    assertThat(lines.get(9)).isEqualTo("load average after: 0.20 0.30 0.40");
    assertThat(lines.get(10)).matches("wall time: \\d+\\.\\d s");
    assertThat(lines.get(11)).isEqualTo("exit status: 0");
    assertThat(lines).hasSize(12).noneMatch(l -> l.startsWith("warning"));
    assertThat(leftovers()).containsExactly("quiet.txt");
  }

  @Test
  void aLineRedrawnWithCarriageReturnsIsRecordedAsItLastShowed() throws Exception {
    recordRun(repo, "progress", "--", "sh", "-c", "printf 'bar 10%%\\rbar 50%%\\rbar 100%% done\\n'; printf 'dos line\\r\\n'");
    assertThat(Files.readString(repo.resolve("bench/results/progress.txt")))
        .contains("output:\nbar 100% done\ndos line\nload average after:");
  }

  @Test
  void aBusyMachineIsWrittenIntoTheRecord() throws Exception {
    load("0.51 0.10 0.10");
    assertThat(recordRun(repo, "busy", "--", "true").status).isZero();
    assertThat(Files.readString(repo.resolve("bench/results/busy.txt")))
        .contains("load average before: 0.51 0.10 0.10\nwarning: not a quiet machine (1-minute load average 0.51 > 0.5");
  }

  @Test
  void uncommittedChangesToTrackedFilesMarkTheCommitDirty() throws Exception {
    Files.writeString(repo.resolve("untracked.txt"), "not part of the tree\n");
    recordRun(repo, "clean", "--", "true");
    Files.writeString(repo.resolve("tracked.txt"), "two\n");
    recordRun(repo, "dirty", "--", "true");

    String head = git("rev-parse", "--short", "HEAD").strip();
    assertThat(Files.readString(repo.resolve("bench/results/clean.txt"))).contains("commit: " + head + "\n");
    assertThat(Files.readString(repo.resolve("bench/results/dirty.txt"))).contains("commit: " + head + "+dirty\n");
  }

  @Test
  void anExistingRecordIsReplacedOnlyWithForce() throws Exception {
    recordRun(repo, "kept", "--", "echo", "first");
    Path file = repo.resolve("bench/results/kept.txt");
    String first = Files.readString(file);

    Run refused = recordRun(repo, "kept", "--", "echo", "second");
    assertThat(refused.status).isEqualTo(2);
    assertThat(refused.output).contains("bench/results/kept.txt already exists").contains("--force")
        .doesNotContain("second");
    assertThat(Files.readString(file)).isEqualTo(first);

    assertThat(recordRun(repo, "--force", "kept", "--", "echo", "second").status).isZero();
    assertThat(Files.readString(file)).contains("output:\nsecond\n");
    assertThat(leftovers()).containsExactly("kept.txt");
  }

  @Test
  void aRecordWrittenByAnotherRunMeanwhileIsNotReplaced() throws Exception {
    Run run = recordRun(repo, "raced", "--", "sh", "-c", "echo other > bench/results/raced.txt; echo mine");
    assertThat(run.status).isEqualTo(2);
    assertThat(run.output).contains("could not create bench/results/raced.txt");
    assertThat(Files.readString(repo.resolve("bench/results/raced.txt"))).isEqualTo("other\n");
    // This run's record is not lost: it stays in the temporary file the message names.
    String kept = leftovers().stream().filter(f -> f.startsWith(".raced.txt.")).findFirst().orElseThrow();
    assertThat(run.output).contains(kept);
    assertThat(Files.readString(repo.resolve("bench/results").resolve(kept))).contains("output:\nmine\n");
  }

  @Test
  void aFailingCommandIsRecordedWithItsStatusAndTheScriptExitsWithIt() throws Exception {
    Run run = recordRun(repo, "failed", "--", "sh", "-c", "printf 'no newline at the end'; exit 3");
    assertThat(run.status).isEqualTo(3);
    assertThat(Files.readString(repo.resolve("bench/results/failed.txt")))
        .contains("output:\nno newline at the end\nload average after: ").endsWith("exit status: 3\n");
  }

  @Test
  void badArgumentsExitTwoWithOneMessageAndWriteNothing() throws Exception {
    assertThat(recordRun(repo, "../escape", "--", "true"))
        .satisfies(r -> assertThat(r.status).isEqualTo(2))
        .satisfies(r -> assertThat(r.output).contains("NAME '../escape' must be"));
    assertThat(recordRun(repo, "noseparator", "true").output).contains("two names");
    assertThat(recordRun(repo, "nocommand", "--").output).contains("no command after '--'");
    assertThat(recordRun(repo, "--quick", "x", "--", "true").output).contains("unknown option '--quick'");
    assertThat(Files.exists(repo.resolve("bench/results/escape.txt"))).isFalse();
    assertThat(leftovers()).isEmpty();
  }

  private record Run(int status, String output) {}

  private Run recordRun(Path workingDirectory, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("bash", repo.resolve("bench/record").toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).directory(workingDirectory.toFile()).redirectErrorStream(true);
    builder.environment().put("BENCH_RECORD_PROC", proc.toString());
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return new Run(process.waitFor(), output);
  }

  private String git(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("git", "-c", "user.name=test", "-c", "user.email=test@example.org",
        "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main"));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).directory(repo.toFile()).redirectErrorStream(true);
    // The test's repository must not see the user's or the checkout's git settings.
    builder.environment().putAll(Map.of("GIT_CONFIG_NOSYSTEM", "1", "HOME", repo.toString()));
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor()).as("git %s: %s", String.join(" ", args), output).isZero();
    return output;
  }

  /** Every file in bench/results, temporary ones included. */
  private List<String> leftovers() throws IOException {
    Path results = repo.resolve("bench/results");
    if (!Files.isDirectory(results)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(results)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private void cpuinfo(int threads, int cores, String flags) throws IOException {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < threads; i++) {
      text.append("processor\t: ").append(i).append("\nvendor_id\t: AuthenticAMD\ncpu family\t: 25\n")
          .append("model name\t: Test CPU 9000\nphysical id\t: 0\ncpu cores\t: ").append(cores)
          .append("\nflags\t\t: ").append(flags).append("\n\n");
    }
    Files.writeString(proc.resolve("cpuinfo"), text.toString());
  }

  private void load(String averages) throws IOException {
    Files.writeString(proc.resolve("loadavg"), averages + " 3/158 25959\n");
  }
}
