package io.tfew.cli;

import io.tfew.api.TfewException;
import io.tfew.experiments.minit0.MiniT0;
import io.tfew.experiments.minit0.Prompt;
import io.tfew.experiments.minit0.TaskFamily;
import io.tfew.experiments.minit0.TrainingFamilies;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tfew minit0}: the synthetic mini-T0 tasks (pre-training is {@code tfew pretrain}). */
@Command(name = "minit0", mixinStandardHelpOptions = true,
    description = "Mini-T0 synthetic tasks: write the held-out task files, or print pre-training samples.",
    subcommands = {MiniT0Command.Tasks.class, MiniT0Command.Sample.class})
public final class MiniT0Command {
  /** Writes the held-out families in T-Few's few-shot layout. */
  @Command(name = "tasks", mixinStandardHelpOptions = true,
      description = "Write DIR/<family>/{templates.yaml, test.jsonl, 32_shot/<seed>_seed.jsonl} for every "
          + "held-out family (the same --seed gives the same bytes).")
  static final class Tasks implements Callable<Integer> {
    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory.")
    Path out;
    @Option(names = "--seed", defaultValue = "0", description = "Generator seed (default: ${DEFAULT-VALUE}).")
    long seed;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      MiniT0.writeTasks(out, seed);
      PrintWriter stdout = spec.commandLine().getOut();
      stdout.println("wrote " + String.join(", ", MiniT0.heldOutFamilies()) + " under " + out);
      stdout.flush();
      return 0;
    }
  }

  /** Prints pre-training prompts, one "input => target" per line. */
  @Command(name = "sample", mixinStandardHelpOptions = true,
      description = "Print N pre-training prompts of a training family (or of all), as 'input => target'.")
  static final class Sample implements Callable<Integer> {
    @Option(names = "--family", description = "A training family (default: every family).")
    String family;
    @Option(names = "-n", defaultValue = "3", description = "Prompts per family (default: ${DEFAULT-VALUE}).")
    int n;
    @Option(names = "--seed", defaultValue = "0") long seed;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      if (family != null && !MiniT0.trainingFamilies().contains(family)) {
        throw new TfewException("--family " + family + ": unknown; training families are "
            + MiniT0.trainingFamilies());
      }
      PrintWriter stdout = spec.commandLine().getOut();
      SplittableRandom random = new SplittableRandom(seed);
      for (TaskFamily<?> f : TrainingFamilies.all()) {
        if (family == null || family.equals(f.name())) {
          for (int i = 0; i < n; i++) {
            Prompt p = f.sample(random);
            stdout.println(f.name() + ": " + p.input() + " => " + p.target());
          }
        }
      }
      stdout.flush();
      return 0;
    }
  }
}
