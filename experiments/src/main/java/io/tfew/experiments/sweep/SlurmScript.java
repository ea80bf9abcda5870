package io.tfew.experiments.sweep;

import io.tfew.api.TfewException;
import io.tfew.core.files.AtomicFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A Slurm job-array script for a sweep: task {@code i} runs cell {@code i} with exactly the command a
 * local worker runs ({@link CellCommand}, {@code --cell $SLURM_ARRAY_TASK_ID}), appending to the same
 * {@code CELL/sweep.log}. Written with {@code cells.tsv} (index, name, directory); never submitted.
 *
 * <pre>{@code
 * SlurmScript.Resources r = new SlurmScript.Resources("gpu", "24:00:00", 8, "64G", 1, 4, "");
 * Path script = SlurmScript.write(plan, CellCommand.forThisJvm(plan, "io.tfew.cli.TfewCli"), r, Path.of("").toAbsolutePath(), Map.of());
 * // then: sbatch runs/grid/sweep.slurm
 * }</pre>
 */
public final class SlurmScript {
  public static final String SCRIPT = "sweep.slurm";
  public static final String CELLS = "cells.tsv";
  private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9_./:=@%+,-]+");

  /**
   * What each array task asks for; empty strings and zeros leave a directive out.
   *
   * @param partition {@code --partition}
   * @param time {@code --time}, e.g. 24:00:00
   * @param cpus {@code --cpus-per-task}
   * @param mem {@code --mem}, e.g. 64G
   * @param gpus GPUs per task ({@code --gres=gpu:N})
   * @param maxParallel most tasks running at once ({@code --array=0-N%K})
   * @param account {@code --account}
   */
  public record Resources(String partition, String time, int cpus, String mem, int gpus, int maxParallel,
      String account) {}

  private SlurmScript() {}

  /** The script's text. */
  public static String render(SweepPlan plan, CellCommand command, Resources r, Path workDir, Map<String, String> env) {
    int n = plan.cells().size();
    String name = plan.grid().file().getFileName().toString().replaceFirst("\\.(ya?ml)$", "");
    Path out = plan.out().toAbsolutePath().normalize();
    StringBuilder s = new StringBuilder();
    s.append("#!/bin/bash\n");
    s.append("#SBATCH --job-name=tfew-").append(name).append('\n');
    s.append("#SBATCH --array=0-").append(n - 1).append(r.maxParallel() > 0 ? "%" + r.maxParallel() : "").append('\n');
    s.append("#SBATCH --output=").append(out.resolve("slurm")).append("/%A_%a.out\n");
    directive(s, "partition", r.partition());
    directive(s, "time", r.time());
    directive(s, "account", r.account());
    directive(s, "mem", r.mem());
    if (r.cpus() > 0) {
      directive(s, "cpus-per-task", Integer.toString(r.cpus()));
    }
    if (r.gpus() > 0) {
      directive(s, "gres", "gpu:" + r.gpus());
    }
    s.append("#\n");
    s.append("# ").append(n).append(" cells of ").append(plan.grid().file().toAbsolutePath().normalize())
        .append(" (listed in ").append(out.resolve(CELLS)).append(").\n");
    s.append("# Written by tfew sweep --slurm; submit with: sbatch ").append(out.resolve(SCRIPT)).append('\n');
    s.append("# Task i runs cell i exactly as a local worker would: finished cells are skipped, interrupted ones\n");
    s.append("# resume, and a cell locked by a running process is left alone (exit ").append(CellRun.BUSY)
        .append(").\n");
    s.append("set -euo pipefail\n");
    s.append("cd ").append(quote(workDir.toString())).append('\n');
    env.forEach((k, v) -> s.append("export ").append(k).append('=').append(quote(v)).append('\n'));
    s.append("cells=(\n");
    for (SweepPlan.Planned p : plan.cells()) {
      s.append("  ").append(quote(p.cell().dir().toAbsolutePath().normalize().toString())).append('\n');
    }
    s.append(")\n");
    s.append("dir=\"${cells[$SLURM_ARRAY_TASK_ID]}\"\n");
    s.append("mkdir -p \"$dir\"\n");
    s.append("exec");
    for (String arg : command.prefix()) {
      s.append(' ').append(quote(arg));
    }
    s.append(" \"$SLURM_ARRAY_TASK_ID\" >> \"$dir/").append(LocalWorkers.LOG).append("\" 2>&1\n");
    return s.toString();
  }

  /** {@code index<TAB>name<TAB>directory} per cell, with a header line. */
  public static String cellsListing(SweepPlan plan) {
    StringBuilder s = new StringBuilder("index\tcell\tdir\n");
    for (SweepPlan.Planned p : plan.cells()) {
      s.append(p.cell().index()).append('\t').append(p.cell().name()).append('\t')
          .append(p.cell().dir().toAbsolutePath().normalize()).append('\n');
    }
    return s.toString();
  }

  /** Writes {@code OUT/sweep.slurm} (executable) and {@code OUT/cells.tsv}, each atomically; returns the script. */
  public static Path write(SweepPlan plan, CellCommand command, Resources r, Path workDir, Map<String, String> env) {
    Path out = plan.out();
    try {
      Files.createDirectories(out.resolve("slurm"));
    } catch (IOException e) {
      throw new TfewException(out + ": cannot create the directory (" + e.getMessage() + ")");
    }
    writeAtomically(out.resolve(CELLS), cellsListing(plan), false);
    Path script = out.resolve(SCRIPT);
    writeAtomically(script, render(plan, command, r, workDir, env), true);
    return script;
  }

  private static void directive(StringBuilder s, String key, String value) {
    if (value != null && !value.isBlank()) {
      if (!SAFE.matcher(value).matches()) {
        throw new TfewException("--slurm-" + key + " " + value + ": not a plain Slurm value");
      }
      s.append("#SBATCH --").append(key).append('=').append(value).append('\n');
    }
  }

  /** Single-quoted for bash unless plainly safe. */
  static String quote(String arg) {
    if (SAFE.matcher(arg).matches()) {
      return arg;
    }
    return "'" + arg.replace("'", "'\\''") + "'";
  }

  private static void writeAtomically(Path target, String text, boolean executable) {
    AtomicFile.writeString(target, text);
    if (executable) {
      AtomicFile.addExecuteWhereReadable(target);
    }
  }
}
