package io.tfew.cli.endtoend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tfew.cli.TfewCli;
import io.tfew.core.adapter.AdapterDirectory;
import io.tfew.core.testing.RandomAdapters;
import io.tfew.core.testing.TinyTask;
import io.tfew.experiments.sweep.CellLock;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI on hostile or careless paths: outputs that are FIFOs, links or the input itself, a run directory
 * another run holds or that belongs to another config, and adapter directories whose files are links out
 * of them or FIFOs. Each is exit 2 with one message naming the path, and nothing is destroyed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileFilesEndToEndTest {
  private static final Path RECIPE = Path.of("../experiments/tiny/ia3-rank.yaml").toAbsolutePath();
  private Path dir;

  private record Run(int exit, String out, String err) {
    @Override
    public String toString() {
      return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  @BeforeAll
  void task(@TempDir Path tempDir) throws IOException {
    dir = tempDir;
    TinyTask.write(dir);
  }

  private static Run tfew(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = TfewCli.run(args, new PrintWriter(out), new PrintWriter(err));
    return new Run(exit, out.toString(), err.toString());
  }

  private static void assertRefused(Run run, String... parts) {
    assertThat(run.exit()).as("%s", run).isEqualTo(2);
    assertThat(run.err()).as("%s", run).startsWith("tfew: error: ").containsSubsequence(parts)
        .doesNotContain("Exception").doesNotContain("\tat ");
  }

  private static Path fifo(Path path) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("mkfifo", path.toString()).start();
    assumeTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, "mkfifo is not available");
    return path;
  }

  private String[] score(String... extra) {
    List<String> args = new ArrayList<>(List.of("score", "--model", dir.resolve("model").toString(),
        "--data", dir.resolve("eval.jsonl").toString()));
    args.addAll(List.of(extra));
    return args.toArray(String[]::new);
  }

  private String[] train(Path out, String... extra) {
    List<String> args = new ArrayList<>(List.of("train", RECIPE.toString(), "--out", out.toString(),
        "--set", "model=" + dir.resolve("model"),
        "--set", "data.train.path=" + dir.resolve("train.jsonl"),
        "--set", "data.eval.path=" + dir.resolve("eval.jsonl"),
        "--set", "train.steps=4", "--set", "train.checkpoint_every=2"));
    args.addAll(List.of(extra));
    return args.toArray(String[]::new);
  }

  @Test
  void scoreRefusesAnOutputThatIsAFifoALinkOrItsInput() throws Exception {
    Path pipe = fifo(dir.resolve("scores.pipe"));
    // The FIFO has no reader: writing to it would block, so the guard also proves nothing was opened.
    assertTimeoutPreemptively(Duration.ofSeconds(60), () ->
        assertRefused(tfew(score("--out", pipe.toString())), "--out " + pipe, "is a FIFO", "not a regular file"));
    assertThat(Files.isRegularFile(pipe, LinkOption.NOFOLLOW_LINKS)).isFalse();

    Path precious = Files.writeString(dir.resolve("precious.txt"), "keep");
    Path link = Files.createSymbolicLink(dir.resolve("scores.jsonl"), precious);
    assertRefused(tfew(score("--out", link.toString())), "--out " + link, "is a symbolic link");
    assertThat(Files.isSymbolicLink(link)).isTrue();
    assertThat(Files.readString(precious)).isEqualTo("keep");

    byte[] before = Files.readAllBytes(dir.resolve("eval.jsonl"));
    Path alias = Files.createLink(dir.resolve("eval-alias.jsonl"), dir.resolve("eval.jsonl"));
    assertRefused(tfew(score("--out", alias.toString())), "--out " + alias, "is the input file");
    assertRefused(tfew(score("--out", dir.resolve("./eval.jsonl").toString())), "is the input file");
    assertThat(Files.readAllBytes(dir.resolve("eval.jsonl"))).isEqualTo(before);
  }

  @Test
  void aRunDirectoryHeldByAnotherRunIsRefusedNamingTheHolder() {
    Path out = dir.resolve("held");
    Optional<CellLock> lock = CellLock.tryAcquire(out);
    assertThat(lock).isPresent();
    try (CellLock held = lock.get()) {
      assertRefused(tfew(train(out)), out.toString(), "another tfew run is writing this directory",
          "pid " + ProcessHandle.current().pid());
    }
    assertThat(out.resolve("provenance.json")).doesNotExist();
  }

  @Test
  void aRunOfAnotherConfigIsNeitherOverwrittenNorResumedWithoutForce() throws IOException {
    Path out = dir.resolve("run");
    assertThat(tfew(train(out)).exit()).isZero();
    byte[] provenance = Files.readAllBytes(out.resolve("provenance.json"));
    byte[] adapter = Files.readAllBytes(out.resolve("adapter").resolve(AdapterDirectory.WEIGHTS_FILE));

    assertRefused(tfew(train(out, "--set", "seed=2")), out.toString(), "a finished run of another config",
        "differing: seed", "--force");
    assertRefused(tfew(train(out, "--resume", "--set", "train.lr=0.01")), "differing: train.lr");
    assertThat(Files.readAllBytes(out.resolve("provenance.json"))).isEqualTo(provenance);
    assertThat(Files.readAllBytes(out.resolve("adapter").resolve(AdapterDirectory.WEIGHTS_FILE))).isEqualTo(adapter);

    // A stale temporary of a killed writer (a dead pid of this host) is cleaned by the next run.
    Process dead = new ProcessBuilder("true").start();
    try {
      dead.waitFor();
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
    String host = String.format("%08x", java.net.InetAddress.getLocalHost().getHostName().hashCode());
    Path stale = Files.writeString(out.resolve("checkpoint")
        .resolve(".state.safetensors.tfew-" + host + "-" + dead.pid() + "-0123456789ab.tmp"), "half");

    Run forced = tfew(train(out, "--set", "seed=2", "--force"));
    assertThat(forced.exit()).as("%s", forced).isZero();
    assertThat(forced.err()).contains("replaced a finished run of another config (differing: seed");
    assertThat(new ObjectMapper().readTree(out.resolve("provenance.json").toFile()).get("seed").asLong()).isEqualTo(2);
    assertThat(stale).doesNotExist();
  }

  @Test
  void exportRefusesWeightsThatLinkOutOfTheAdapterDirectory() throws IOException {
    Path adapter = RandomAdapters.write(dir.resolve("model"), "ia3", Map.of(), 3L, dir.resolve("linked-adapter"));
    Path secret = Files.writeString(dir.resolve("secret.bin"), "not weights");
    Path weights = adapter.resolve(AdapterDirectory.WEIGHTS_FILE);
    Files.delete(weights);
    Files.createSymbolicLink(weights, secret);
    Path exported = dir.resolve("exported");
    assertRefused(tfew("adapter", "export", "--model", dir.resolve("model").toString(), "--adapter",
        adapter.toString(), "--out", exported.toString()), weights.toString(), "outside its directory");
    assertThat(exported.resolve(AdapterDirectory.WEIGHTS_FILE)).doesNotExist();
  }

  @Test
  void aFifoAsAdapterWeightsIsRefusedWithoutHanging() throws Exception {
    Path adapter = RandomAdapters.write(dir.resolve("model"), "ia3", Map.of(), 4L, dir.resolve("fifo-adapter"));
    Path weights = adapter.resolve(AdapterDirectory.WEIGHTS_FILE);
    Files.delete(weights);
    fifo(weights);
    // A hang guard, not a speed limit: opening the FIFO to read it would block forever.
    assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
      assertRefused(tfew(score("--adapter", adapter.toString())), weights.toString(), "is a FIFO");
      assertRefused(tfew("adapter", "export", "--model", dir.resolve("model").toString(), "--adapter",
          adapter.toString(), "--out", dir.resolve("fifo-exported").toString()), weights.toString(), "is a FIFO");
    });
  }

  @Test
  void errorsInTfewsAdapterRecordNameThatFile() throws IOException {
    Path adapter = RandomAdapters.write(dir.resolve("model"), "ia3", Map.of(), 5L, dir.resolve("bad-record"));
    Path record = adapter.resolve(AdapterDirectory.TFEW_FILE);
    Files.writeString(record, "{\"tfew_method\": \"ia3\", \"tfew_config\": {\"no_such_option\": 1}}");
    Run run = tfew(score("--adapter", adapter.toString()));
    assertRefused(run, record + ": tfew_config", "no_such_option");
    assertThat(run.err()).doesNotContain(AdapterDirectory.CONFIG_FILE);
  }

  @Test
  void generateReadsItsInputLikeScore() throws IOException {
    String model = dir.resolve("model").toString();
    Path bom = Files.writeString(dir.resolve("bom.jsonl"), "\uFEFF{\"input\": \"w5 w9\"}\r\n");
    Run ok = tfew("generate", "--model", model, "--data", bom.toString(), "--max-new-tokens", "2");
    assertThat(ok.exit()).as("%s", ok).isZero();
    assertThat(ok.out()).contains("\"input\":\"w5 w9\"");

    Path trailing = Files.writeString(dir.resolve("trailing.jsonl"), "{\"input\": \"w5\"}\n{\"input\": \"w6\"} junk\n");
    assertRefused(tfew("generate", "--model", model, "--data", trailing.toString()), trailing + ":2: invalid JSON");

    Path badUtf8 = dir.resolve("bad-utf8.jsonl");
    Files.write(badUtf8, new byte[] {'{', '"', 'i', 'n', 'p', 'u', 't', '"', ':', '"', 'a', '"', '}', '\n',
        '{', '"', 'i', 'n', 'p', 'u', 't', '"', ':', '"', (byte) 0xFF, '"', '}', '\n'});
    Run run = tfew("generate", "--model", model, "--data", badUtf8.toString());
    assertRefused(run, badUtf8 + ":2: not valid UTF-8");
    assertThat(run.err()).doesNotContain("Input length");
    assertRefused(tfew("generate", "--model", model, "--data", bom.toString(), "--out", bom.toString()),
        "--out " + bom, "is the input file");
  }
}
