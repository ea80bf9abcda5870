package io.tfew.cli.endtoend;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tfew.cli.TfewCli;
import io.tfew.core.testing.TinyTask;
import io.tfew.core.train.TrainingCheckpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code tfew train} process killed (SIGKILL) after it wrote a training checkpoint, then resumed
 * with {@code --resume}, ends with adapter files byte-identical to an uninterrupted run.
 */
class ResumeEndToEndTest {
  private static final Path RECIPE = Path.of("../experiments/tiny/ia3-rank.yaml").toAbsolutePath();

  @Test
  void aKilledRunResumesToByteIdenticalAdapterFiles(@TempDir Path dir) throws Exception {
    TinyTask.write(dir);
    Path straight = dir.resolve("straight");
    Path killed = dir.resolve("killed");
    TrainEndToEndTest.cli(args(dir, straight));

    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), TfewCli.class.getName()));
    command.addAll(List.of(args(dir, killed)));
    Process child = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(dir.resolve("child.log").toFile()).start();
    Path state = killed.resolve("checkpoint").resolve(TrainingCheckpoint.FILE);
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    while (!Files.exists(state) && child.isAlive() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    child.destroyForcibly().waitFor(1, TimeUnit.MINUTES);
    assertThat(state).as("the child wrote no checkpoint; its log:%n%s",
        Files.exists(dir.resolve("child.log")) ? Files.readString(dir.resolve("child.log")) : "").exists();

    List<String> resume = new ArrayList<>(List.of(args(dir, killed)));
    resume.add("--resume");
    TrainEndToEndTest.cli(resume.toArray(String[]::new));

    long resumedFrom = new ObjectMapper().readTree(killed.resolve("provenance.json").toFile())
        .get("resumed_from_step").asLong();
    assertThat(resumedFrom).as("the run must really have resumed midway").isBetween(1L, 149L);
    for (String file : List.of("adapter/adapter_model.safetensors", "adapter/adapter_config.json",
        "checkpoint/" + TrainingCheckpoint.FILE)) {
      assertThat(Files.readAllBytes(killed.resolve(file))).as(file)
          .isEqualTo(Files.readAllBytes(straight.resolve(file)));
    }
  }

  private static String[] args(Path dir, Path out) {
    return new String[] {"train", RECIPE.toString(), "--out", out.toString(),
        "--set", "model=" + dir.resolve("model"),
        "--set", "data.train.path=" + dir.resolve("train.jsonl"),
        "--set", "data.eval.path=" + dir.resolve("eval.jsonl"),
        "--set", "train.checkpoint_every=10"};
  }
}
