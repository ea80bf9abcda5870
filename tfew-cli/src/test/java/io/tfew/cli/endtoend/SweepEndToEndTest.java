package io.tfew.cli.endtoend;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tfew.cli.TfewCli;
import io.tfew.core.checkpoint.SafetensorsReader;
import io.tfew.core.testing.TinyTask;
import io.tfew.core.train.TrainingCheckpoint;
import io.tfew.experiments.sweep.CellState;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tfew sweep} end to end: a 2 x 2 x 2 grid on two workers is killed midway (the sweep and every
 * worker, SIGKILL), then run again; every cell ends finished, each trained to completion exactly once,
 * the interrupted ones resumed from their checkpoint and the finished ones skipped.
 */
class SweepEndToEndTest {
  private static final Path RECIPE = Path.of("../experiments/tiny/ia3-rank.yaml").toAbsolutePath();
  private static final List<String> CELLS = List.of("a/ia3/seed1", "a/ia3/seed2", "a/zero_shot/seed1",
      "a/zero_shot/seed2", "b/ia3/seed1", "b/ia3/seed2", "b/zero_shot/seed1", "b/zero_shot/seed2");
  private static final int STEPS = 12;

  @Test
  void aKilledSweepRunAgainFinishesEveryCellExactlyOnce(@TempDir Path dir) throws Exception {
    TinyTask.write(dir);
    Path grid = dir.resolve("grid.yaml");
    Files.writeString(grid, String.join("\n",
        "base: " + RECIPE,
        "out: " + dir.resolve("runs"),
        "set: {model: model, train.steps: " + STEPS + ", train.checkpoint_every: 1, train.eval_before: false,",
        "  data.eval.path: train.jsonl, eval.batch_size: 32}",
        "axes:",
        "  dataset:",
        "    a: {data.train.path: train.jsonl}",
        "    b: {data.train.path: eval.jsonl}",
        "  method:",
        "    ia3: {}",
        "    zero_shot: {peft: [], train.steps: 0}",
        "  seed: [1, 2]",
        ""));
    Path runs = dir.resolve("runs");

    String dryRun = cli("sweep", grid.toString(), "--dry-run");
    for (String cell : CELLS) {
      assertThat(dryRun).containsPattern("new +" + Pattern.quote(cell));
    }

    Process sweep = sweep(grid, dir.resolve("first-sweep.log"));
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    // Killed only while some cell's checkpoint is at most halfway: that cell cannot finish in the moment
    // between the check and the kill, as a cell one step from its end could (the two cells of a pair run
    // in near lockstep, so "one finished, the other partial" alone is a race).
    while (!(finished(runs) >= 1 && halfwayOrLess(runs) >= 1) && sweep.isAlive()
        && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    List<ProcessHandle> tree = new ArrayList<>(sweep.descendants().toList());
    tree.add(sweep.toHandle());
    tree.forEach(ProcessHandle::destroyForcibly);
    for (ProcessHandle p : tree) {
      p.onExit().get(1, TimeUnit.MINUTES);
    }
    int finishedBefore = finished(runs);
    assertThat(partial(runs)).as("the sweep must be killed while a cell is half trained; its log:%n%s",
        Files.readString(dir.resolve("first-sweep.log"))).isGreaterThanOrEqualTo(1);
    assertThat(finishedBefore).isBetween(1, CELLS.size() - 1);

    Process again = sweep(grid, dir.resolve("second-sweep.log"));
    assertThat(again.waitFor(5, TimeUnit.MINUTES)).isTrue();
    String second = Files.readString(dir.resolve("second-sweep.log"));
    assertThat(again.exitValue()).as(second).isZero();

    assertThat(second).contains(CELLS.size() + " of " + CELLS.size() + " cells finished");
    int resumed = 0;
    for (String cell : CELLS) {
      Path run = runs.resolve(cell);
      String log = Files.readString(run.resolve("sweep.log"));
      JsonNode provenance = new ObjectMapper().readTree(run.resolve("provenance.json").toFile());
      assertThat(provenance.hasNonNull("finished")).as(cell).isTrue();
      // At most once: a kill that lands after a cell wrote its finished provenance but before it logged the
      // line leaves no line, and the restarted sweep rightly skips the cell.
      assertThat(count(log, ": finished in ")).as("%s trained to completion at most once; its log:%n%s", cell, log)
          .isLessThanOrEqualTo(1);
      assertThat(provenance.get("sweep").get("cell").asText()).isEqualTo(cell);
      assertThat(provenance.get("config").get("name").asText()).isEqualTo(cell);
      long from = provenance.get("resumed_from_step").asLong();
      if (cell.contains("zero_shot")) {
        assertThat(from).isZero();
        assertThat(run.resolve("adapter")).doesNotExist();
        assertThat(provenance.get("evaluations").get("final").get("accuracy").asDouble()).isBetween(0.0, 1.0);
        continue;
      }
      // A resumed run trains the steps after its checkpoint, each once.
      assertThat(trainSteps(run)).as(cell).isEqualTo(range(from + 1, STEPS));
      assertThat(count(log, ": resuming ")).isEqualTo(from > 0 ? 1 : 0);
      resumed += from > 0 ? 1 : 0;
      assertThat(run.resolve("adapter/adapter_model.safetensors")).exists();
    }
    assertThat(resumed).as("cells resumed from a checkpoint").isGreaterThanOrEqualTo(1);
    // Cells finished before the kill are not started again.
    assertThat(second).contains(CELLS.size() + " cells in " + runs + ": " + finishedBefore + " finished");
  }

  @Test
  void aFailingCellFailsTheSweepAndNamesItsLog(@TempDir Path dir) throws Exception {
    // The model directory exists but holds no checkpoint: the grid is valid, every cell fails when it runs.
    Path grid = dir.resolve("grid.yaml");
    Files.createDirectories(dir.resolve("empty-model"));
    Files.writeString(grid, String.join("\n", "base: " + RECIPE, "out: " + dir.resolve("runs"),
        "set: {model: empty-model, data.train.path: train.jsonl}", "axes: {seed: [1, 2]}", ""));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();

    int code = TfewCli.run(new String[] {"sweep", grid.toString(), "--workers", "2"}, new PrintWriter(out, true),
        new PrintWriter(err, true));

    assertThat(code).as("%s%s", out, err).isEqualTo(1);
    Path log = dir.resolve("runs/seed2").resolve("sweep.log");
    assertThat(err.toString()).contains("tfew: cell 1 seed2 failed (exit 2); its log: " + log);
    assertThat(Files.readString(log)).contains("tfew: error: ");
    assertThat(out.toString()).contains("0 of 2 cells finished");
  }

  /** A sweep process; its workers inherit its JVM options, which suit short runs (C1 only, one GC thread). */
  private static Process sweep(Path grid, Path log) throws IOException {
    return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
        TfewCli.class.getName(), "sweep", grid.toString(), "--workers", "2")
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  private static int finished(Path runs) {
    return (int) CELLS.stream().filter(c -> CellState.finished(runs.resolve(c))).count();
  }

  private static int partial(Path runs) {
    return (int) CELLS.stream().filter(c -> !CellState.finished(runs.resolve(c))
        && TrainingCheckpoint.exists(runs.resolve(c).resolve("checkpoint"))).count();
  }

  private static int halfwayOrLess(Path runs) {
    int n = 0;
    for (String c : CELLS) {
      Path file = runs.resolve(c).resolve("checkpoint").resolve(TrainingCheckpoint.FILE);
      if (CellState.finished(runs.resolve(c)) || !Files.isRegularFile(file)) {
        continue;
      }
      // The file is replaced by rename, so an open reader sees one whole state.
      try (SafetensorsReader reader = SafetensorsReader.open(file)) {
        n += Long.parseLong(reader.metadata().get("step")) <= STEPS / 2 ? 1 : 0;
      } catch (RuntimeException e) {
        // Renamed away between the check and the open: look again on the next poll.
      }
    }
    return n;
  }

  private static int count(String text, String what) {
    Matcher m = Pattern.compile(Pattern.quote(what)).matcher(text);
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }

  private static List<Long> trainSteps(Path run) throws IOException {
    List<Long> steps = new ArrayList<>();
    ObjectMapper json = new ObjectMapper();
    for (String line : Files.readAllLines(run.resolve("metrics.jsonl"))) {
      JsonNode row = json.readTree(line);
      if (row.get("phase").asText().equals("train")) {
        steps.add(row.get("step").asLong());
      }
    }
    return steps;
  }

  private static List<Long> range(long from, long to) {
    List<Long> r = new ArrayList<>();
    for (long s = from; s <= to; s++) {
      r.add(s);
    }
    return r;
  }

  private static String cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = TfewCli.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    assertThat(code).as("tfew %s%n%s%s", String.join(" ", args), out, err).isZero();
    return out.toString();
  }
}
