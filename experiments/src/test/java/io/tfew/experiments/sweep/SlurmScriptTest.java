package io.tfew.experiments.sweep;

import static org.assertj.core.api.Assertions.assertThat;

import io.tfew.core.plugin.PluginRegistry;
import io.tfew.core.testing.TestPlugins;
import java.io.IOException;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The job array has one task per cell, and task i runs exactly the command a local worker runs for cell i. */
class SlurmScriptTest {
  private static final String MAIN = "org.example.Main";
  @TempDir
  Path tmp;

  private SweepPlan plan() throws IOException {
    Files.writeString(tmp.resolve("base.yaml"), "model: m\ndata: {train: {path: t.jsonl}}\npeft: [{method: ia3}]\n");
    Files.writeString(tmp.resolve("g.yaml"), "base: base.yaml\naxes:\n  method: {ia3: {}, lora: {peft: [{method: lora, r: 2}]}}\n"
        + "  seed: [0, 1, 32]\n");
    try (URLClassLoader loader = TestPlugins.loader(Files.createDirectories(tmp.resolve("plugins")))) {
      PluginRegistry registry = TestPlugins.registry(loader);
      return SweepPlan.load(tmp.resolve("g.yaml"), tmp.resolve("out dir"), List.of("train.lr=0.01"), registry);
    }
  }

  @Test
  void theScriptIsAnArrayOverTheCellsWithTheRequestedResources() throws IOException {
    SweepPlan plan = plan();
    String script = SlurmScript.render(plan, CellCommand.forThisJvm(plan, MAIN),
        new SlurmScript.Resources("gpu", "12:00:00", 4, "32G", 1, 3, "lab"), tmp, Map.of("TF_CPP_MIN_LOG_LEVEL", "2"));

    assertThat(script).startsWith("#!/bin/bash\n")
        .contains("#SBATCH --array=0-5%3\n", "#SBATCH --partition=gpu\n", "#SBATCH --time=12:00:00\n",
            "#SBATCH --account=lab\n", "#SBATCH --mem=32G\n", "#SBATCH --cpus-per-task=4\n", "#SBATCH --gres=gpu:1\n",
            "export TF_CPP_MIN_LOG_LEVEL=2\n", "cd " + tmp + "\n");
    // The cells' directories, in index order, so that task i appends to cell i's log.
    List<String> dirs = plan.cells().stream().map(p -> SlurmScript.quote(p.cell().dir().toAbsolutePath().toString()))
        .toList();
    String listed = script.substring(script.indexOf("cells=(\n") + 8, script.indexOf(")\n", script.indexOf("cells=(")));
    assertThat(listed.lines().map(String::trim).toList()).isEqualTo(dirs);
  }

  @Test
  void taskIRunsTheLocalWorkersCommandForCellI() throws IOException {
    SweepPlan plan = plan();
    CellCommand command = CellCommand.forThisJvm(plan, MAIN);
    String script = SlurmScript.render(plan, command, new SlurmScript.Resources("", "", 0, "", 0, 0, ""), tmp,
        Map.of());

    String exec = script.lines().filter(l -> l.startsWith("exec ")).findFirst().orElseThrow();
    List<String> local = new ArrayList<>(command.forCell(4));
    local.set(local.size() - 1, "\"$SLURM_ARRAY_TASK_ID\"");
    String expected = "exec " + local.stream().map(a -> a.startsWith("\"$") ? a : SlurmScript.quote(a))
        .collect(Collectors.joining(" ")) + " >> \"$dir/sweep.log\" 2>&1";
    assertThat(exec).isEqualTo(expected);
    assertThat(command.forCell(4)).containsSubsequence("sweep", tmp.resolve("g.yaml").toString(), "--out",
        tmp.resolve("out dir").toString(), "--set", "train.lr=0.01", "--cell", "4");
    // Blank resources leave their directives out.
    assertThat(script).contains("#SBATCH --array=0-5\n").doesNotContain("--partition", "--gres", "--mem", "--time");
  }

  @Test
  void eachTaskAndEachLocalWorkerGetsThePluginPathBeforeTheSweepCommand() throws IOException {
    SweepPlan plan = plan();
    Path jar = tmp.resolve("my plugins/vera.jar");
    CellCommand command = CellCommand.forThisJvm(plan, MAIN, List.of("--plugin-path", jar.toString()));
    String script = SlurmScript.render(plan, command, new SlurmScript.Resources("", "", 0, "", 0, 0, ""), tmp,
        Map.of());

    assertThat(command.forCell(2)).containsSubsequence(MAIN, "--plugin-path", jar.toString(), "sweep",
        "--cell", "2");
    String exec = script.lines().filter(l -> l.startsWith("exec ")).findFirst().orElseThrow();
    assertThat(exec).contains(" --plugin-path " + SlurmScript.quote(jar.toString()) + " sweep ");
  }

  @Test
  void writingLeavesTheScriptAndTheCellListingAndNoTemporaryFiles() throws IOException {
    SweepPlan plan = plan();
    Path script = SlurmScript.write(plan, CellCommand.forThisJvm(plan, MAIN),
        new SlurmScript.Resources("", "1:00:00", 1, "", 0, 0, ""), tmp, Map.of());

    assertThat(script).isEqualTo(tmp.resolve("out dir").resolve(SlurmScript.SCRIPT));
    assertThat(Files.isExecutable(script)).isTrue();
    List<String> cells = Files.readAllLines(tmp.resolve("out dir").resolve(SlurmScript.CELLS));
    assertThat(cells).hasSize(7);
    assertThat(cells.get(0)).isEqualTo("index\tcell\tdir");
    assertThat(cells.get(5)).isEqualTo("4\tlora/seed1\t" + tmp.resolve("out dir/lora/seed1"));
    try (Stream<Path> files = Files.list(tmp.resolve("out dir"))) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(SlurmScript.SCRIPT,
          SlurmScript.CELLS, "slurm");
    }
  }
}
