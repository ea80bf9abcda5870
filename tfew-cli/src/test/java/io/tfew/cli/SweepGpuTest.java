package io.tfew.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tfew.api.TfewException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GPUs in sweeps: Slurm's --gres and the workers' devices only when the run uses TensorFlow's CUDA build. These
 * tests run on the CPU build (the reactor's), so the CUDA side is checked through {@link SweepCommand#slurmGpus}
 * and, in experiments, WorkerDevicesTest and LocalWorkersTest.
 */
class SweepGpuTest {
  @TempDir
  Path tmp;

  private Path grid;

  @BeforeEach
  void writeAGrid() throws IOException {
    Files.writeString(tmp.resolve("base.yaml"), "model: m\ndata: {train: {path: t.jsonl}}\npeft: [{method: ia3}]\n");
    grid = Files.writeString(tmp.resolve("g.yaml"), "base: base.yaml\naxes:\n  seed: [0, 1]\n");
  }

  @Test
  void theCpuBuildsSlurmScriptHasNoGresLine() throws IOException {
    CliRun run = CliRun.of("sweep", grid.toString(), "--out", tmp.resolve("out").toString(), "--slurm");

    assertThat(run.exit()).as(run.toString()).isZero();
    String script = Files.readString(tmp.resolve("out/sweep.slurm"));
    assertThat(script).contains("#SBATCH --array=0-1\n").doesNotContain("--gres");
  }

  @Test
  void gpusAskedOfTheCpuBuildAreRefusedAndNothingIsWritten() {
    CliRun slurm = CliRun.of("sweep", grid.toString(), "--out", tmp.resolve("out").toString(), "--slurm",
        "--slurm-gpus", "1");
    CliRun local = CliRun.of("sweep", grid.toString(), "--out", tmp.resolve("out").toString(), "--devices", "0,1");

    assertThat(slurm.exit()).as(slurm.toString()).isEqualTo(2);
    assertThat(slurm.err()).isEqualTo("tfew: error: --slurm-gpus 1: this tfew runs TensorFlow's CPU build, so the "
        + "tasks would hold GPUs they never use; run ./tfew --gpu sweep ... --slurm, or drop --slurm-gpus\n");
    assertThat(local.exit()).as(local.toString()).isEqualTo(2);
    assertThat(local.err()).startsWith("tfew: error: --devices 0,1: this tfew runs TensorFlow's CPU build");
    assertThat(tmp.resolve("out")).doesNotExist();
  }

  @Test
  void slurmTasksAskForOneGpuOnTheCudaBuildUnlessTold() {
    assertThat(SweepCommand.slurmGpus(null, true)).isEqualTo(1);
    assertThat(SweepCommand.slurmGpus(4, true)).isEqualTo(4);
    assertThat(SweepCommand.slurmGpus(0, true)).isZero();
    assertThat(SweepCommand.slurmGpus(null, false)).isZero();
    assertThat(SweepCommand.slurmGpus(0, false)).isZero();
    assertThatThrownBy(() -> SweepCommand.slurmGpus(-1, true)).isInstanceOf(TfewException.class)
        .hasMessage("--slurm-gpus -1: give 0 or more");
  }
}
