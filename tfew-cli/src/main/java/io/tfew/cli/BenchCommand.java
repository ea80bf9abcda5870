package io.tfew.cli;

import com.google.inject.Inject;
import io.tfew.api.TfewException;
import io.tfew.api.config.ConfigSection;
import io.tfew.core.checkpoint.Checkpoint;
import io.tfew.core.model.RandomCheckpointWriter;
import io.tfew.core.model.RandomModels;
import io.tfew.core.model.SiteRewrites;
import io.tfew.core.model.T5Config;
import io.tfew.core.model.T5Weights;
import io.tfew.core.optim.Adafactor;
import io.tfew.core.plugin.PluginContext;
import io.tfew.core.plugin.PluginRegistry;
import io.tfew.core.runtime.ModelGraph;
import io.tfew.core.runtime.SessionOptions;
import io.tfew.core.score.ChoiceBatch;
import io.tfew.core.score.EncodedExample;
import io.tfew.core.score.RankScorer;
import io.tfew.core.score.RankScoringGraph;
import io.tfew.core.train.Trainer;
import io.tfew.core.train.TrainingGraph;
import io.tfew.experiments.bench.FirstTouch;
import io.tfew.experiments.bench.Machine;
import io.tfew.experiments.bench.MatmulPeak;
import io.tfew.experiments.bench.MemoryBench;
import io.tfew.experiments.bench.ResidentMemory;
import io.tfew.experiments.bench.StepProfile;
import io.tfew.experiments.bench.TorchReference;
import io.tfew.experiments.bench.StepMatmuls;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.proto.StepStats;
import org.tensorflow.types.TFloat32;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tfew bench}: throughput and memory on random models of known shapes. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks on random weights.",
    subcommands = {BenchCommand.Score.class, BenchCommand.Train.class, BenchCommand.Load.class,
        BenchCommand.LoadChild.class, BenchCommand.Memory.class, BenchCommand.MemoryChild.class,
        BenchCommand.Startup.class})
public final class BenchCommand {
  /**
   * What {@code first_touch_gb_per_second} means beside a load, printed by {@code bench startup} and {@code bench
   * load} alike: one 256 MiB sample has shown 0.28 GB/s right after a load that ran at 1.07.
   */
  private static final String FIRST_TOUCH_CONTEXT = "a load writes every weight into new memory, and on a virtual "
      + "machine the first rate varies from moment to moment: context for the load, not its bound";

  /** Rank-classification throughput. */
  @Command(name = "score", mixinStandardHelpOptions = true,
      description = "Examples/s of rank classification on a random model (default t5-small shape).")
  static final class Score implements Callable<Integer> {
    @Option(names = "--shape", defaultValue = "t5-small", description = "t5-small, t5-base or t5-small-gated.")
    String shape;
    @Option(names = "--batch-size", defaultValue = "8") int batchSize;
    @Option(names = "--input-len", defaultValue = "256") int inputLen;
    @Option(names = "--choices", defaultValue = "2") int choices;
    @Option(names = "--choice-len", defaultValue = "8") int choiceLen;
    @Option(names = "--batches", defaultValue = "10", description = "Timed batches (after --warmup).") int batches;
    @Option(names = "--warmup", defaultValue = "2") int warmup;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      if (batchSize < 1 || inputLen < 2 || choices < 1 || choiceLen < 1 || batches < 1 || warmup < 0) {
        throw new TfewException("bench score: sizes must be positive (input length at least 2)");
      }
      T5Config config = RandomModels.byName(shape);
      PrintWriter out = spec.commandLine().getOut();
      try (ModelGraph graph = new ModelGraph(config, SiteRewrites.none(), false, 1, 0L)) {
        RankScoringGraph rank = RankScoringGraph.build(graph.ops(), graph.model());
        try (Session session = graph.startSession()) {
          randomWeights(graph.weights(), session, config);
          RankScorer scorer = new RankScorer(session, rank, config.padTokenId());
          SplittableRandom random = new SplittableRandom(1);
          List<EncodedExample> batch = new ArrayList<>();
          for (int b = 0; b < batchSize; b++) {
            List<int[]> cs = new ArrayList<>();
            for (int c = 0; c < choices; c++) {
              cs.add(randomIds(random, choiceLen, config.vocabSize()));
            }
            batch.add(new EncodedExample(randomIds(random, inputLen, config.vocabSize()), cs, 0, 0));
          }
          for (int i = 0; i < warmup; i++) {
            scorer.scoreBatch(batch);
          }
          double[] seconds = new double[batches];
          for (int i = 0; i < batches; i++) {
            long t0 = System.nanoTime();
            scorer.scoreBatch(batch);
            seconds[i] = (System.nanoTime() - t0) / 1e9;
          }
          Arrays.sort(seconds);
          double median = seconds[batches / 2];
          out.printf(Locale.ROOT, "model=%s batch=%d input_len=%d choices=%d choice_len=%d threads=%d%n", shape,
              batchSize, inputLen, choices, choiceLen, Runtime.getRuntime().availableProcessors());
          out.printf(Locale.ROOT, "batch_seconds median=%.3f min=%.3f max=%.3f%n", median, seconds[0],
              seconds[batches - 1]);
          out.printf(Locale.ROOT, "examples_per_second=%.2f%n", batchSize / median);
        }
      }
      out.flush();
      return 0;
    }
  }

  /**
   * Milliseconds per (IA)^3 training step, against the same step in PyTorch eager on the same machine.
   *
   * <p>The tfew side is the step {@code tfew train} runs: a training {@link ModelGraph} with the PEFT method
   * {@code ia3} and the losses {@code lm}, {@code unlikelihood} and {@code length_norm} (plugins found by
   * name), Adafactor with T-Few's options, global-norm clipping at 1, one {@code Session.run} per step
   * ({@link Trainer#runStep}). The torch side is {@code bench/torch_t5_ia3_step.py}, a child process. The two
   * take turns: per round, a block of tfew steps, then a block of torch steps; the figures are medians over
   * all timed steps. Both are set against the machine's float32 matmul rate, measured in the same command.
   */
  @Command(name = "train", mixinStandardHelpOptions = true,
      description = "ms/step of (IA)^3 training (lm + unlikelihood + length_norm losses) on a random model "
          + "(default: t5-small-gated, batch 8, 256 input tokens, 2 choices of 8 tokens), alternating with the "
          + "same step in a PyTorch eager reference (bench/torch_t5_ia3_step.py). The last line reads "
          + "'tfew_ms_per_step=X torch_ms_per_step=Y speedup=Y/X'.")
  static final class Train implements Callable<Integer> {
    @Option(names = "--shape", defaultValue = "t5-small-gated",
        description = "t5-small-gated (default), t5-small, t5-base, t0-3b (11.4 GB of random weights), or tiny "
            + "(a test-sized model).")
    String shape;
    @Option(names = "--batch-size", defaultValue = "8", description = "Examples per optimizer step.") int batchSize;
    @Option(names = "--grad-accum", defaultValue = "1", description = "Micro-batches per optimizer step: each "
        + "Session.run holds batch-size / grad-accum examples' activations, which is what lets T0-3B train in "
        + "24 GB (default: ${DEFAULT-VALUE}). Needs --no-torch above 1.")
    int gradAccum;
    @Option(names = "--input-len", defaultValue = "256") int inputLen;
    @Option(names = "--choices", defaultValue = "2") int choices;
    @Option(names = "--choice-len", defaultValue = "8") int choiceLen;
    @Option(names = "--steps", defaultValue = "1", description = "Timed steps per side per round (default: ${DEFAULT-VALUE}; "
        + "short blocks let both sides sample the machine's load alike).")
    int steps;
    @Option(names = "--warmup", defaultValue = "2", description = "Untimed steps per side before the first round (default: ${DEFAULT-VALUE}).")
    int warmup;
    @Option(names = "--rounds", defaultValue = "9", description = "Alternations tfew block / torch block (default: ${DEFAULT-VALUE}).")
    int rounds;
    @Option(names = "--no-torch", description = "Time tfew only.") boolean noTorch;
    @Option(names = "--profile", arity = "0..1", fallbackValue = "3", defaultValue = "0", paramLabel = "N",
        description = "After the timed rounds, run N more tfew steps (default N: 3) with TensorFlow's step stats "
            + "(RunOptions FULL_TRACE) and print kernel time per op type, oneDNN and fused kernels merged, and "
            + "the share spent in matrix products (MatMul, BatchMatMul, Einsum). Traced steps are not in the "
            + "timings.")
    int profileSteps;
    @Option(names = "--python", defaultValue = "/usr/bin/python3",
        description = "The Python with torch (default: ${DEFAULT-VALUE}, Debian's python3-torch).")
    String python;
    @Option(names = "--script", description = "The torch reference (default: bench/torch_t5_ia3_step.py of this checkout).")
    Path script;
    @Spec CommandSpec spec;
    @Inject PluginRegistry registry;

    @Override
    public Integer call() {
      if (batchSize < 1 || inputLen < 2 || choices < 2 || choiceLen < 1 || steps < 1 || warmup < 0 || rounds < 1
          || gradAccum < 1) {
        throw new TfewException("bench train: sizes and counts must be positive (input length at least 2, at "
            + "least 2 choices, warmup may be 0)");
      }
      if (batchSize % gradAccum != 0) {
        throw new TfewException("bench train: --batch-size " + batchSize + " is not a multiple of --grad-accum "
            + gradAccum + "; every micro-batch holds the same number of examples");
      }
      if (gradAccum > 1 && !noTorch) {
        throw new TfewException("bench train: --grad-accum " + gradAccum + " needs --no-torch (the PyTorch "
            + "reference runs one batch per step)");
      }
      if (profileSteps < 0) {
        throw new TfewException("bench train: --profile " + profileSteps + " is negative; give the number of "
            + "traced steps (1 or more), or leave --profile out");
      }
      T5Config config = "tiny".equals(shape) ? RandomModels.tiny(64) : RandomModels.byName(shape);
      Ia3Training setup = Ia3Training.discover(registry, "bench train");
      var ia3 = setup.method();
      List<TrainingGraph.WeightedLoss> losses = setup.losses();
      PrintWriter out = spec.commandLine().getOut();
      // With accumulation the step's products are a micro-batch's, gradAccum times: same FLOPs, smaller shapes.
      List<StepMatmuls.Product> products = StepMatmuls.of(config, batchSize / gradAccum, inputLen, choices, choiceLen)
          .stream().map(p -> p.times(gradAccum)).toList();
      long flops = StepMatmuls.flops(products);
      out.printf(Locale.ROOT, "machine: cpu=%s cores=%d load_average=%s%n", cpuModel(),
          Runtime.getRuntime().availableProcessors(), loadAverage());
      out.printf(Locale.ROOT, "model=%s (d_model %d, %d heads x %d, d_ff %d%s, %d+%d layers, vocab %d, %s) batch=%d "
              + "input_len=%d choices=%d choice_len=%d grad_accum=%d dropout=%s%n", shape, config.dModel(),
          config.numHeads(), config.dKv(), config.dFf(), config.gatedFfn() ? " gated" : "", config.numLayers(),
          config.numDecoderLayers(), config.vocabSize(), config.tieWordEmbeddings() ? "tied" : "untied", batchSize,
          inputLen, choices, choiceLen, gradAccum, config.dropoutRate());
      out.printf(Locale.ROOT, "flops_per_step=%d (matmul FLOPs: forward + gradients of operands that lead to an "
          + "(IA)^3 vector)%n", flops);
      out.flush();

      SplittableRandom random = new SplittableRandom(1);
      List<List<EncodedExample>> microBatches = new ArrayList<>();
      for (int m = 0; m < gradAccum; m++) {
        List<EncodedExample> micro = new ArrayList<>();
        for (int b = 0; b < batchSize / gradAccum; b++) {
          List<int[]> cs = new ArrayList<>();
          for (int c = 0; c < choices; c++) {
            cs.add(randomIds(random, choiceLen, config.vocabSize()));
          }
          micro.add(new EncodedExample(randomIds(random, inputLen, config.vocabSize()), cs, 0, 0));
        }
        microBatches.add(micro);
      }
      List<Double> tfewMs = new ArrayList<>();
      List<Double> torchMs = new ArrayList<>();
      double tfPeak;
      double ceiling;
      double torchPeak = Double.NaN;
      long graphStart = System.nanoTime();
      try (ModelGraph graph = new ModelGraph(config, new SiteRewrites(List.of(new SiteRewrites.Active("ia3", ia3))),
          true, 1, 1L)) {
        TrainingGraph training = TrainingGraph.build(graph, losses, new Adafactor(), gradAccum, 1.0);
        graph.rewrites().requireEveryMethodTouchedASite(graph.parameters());
        double buildSeconds = (System.nanoTime() - graphStart) / 1e9;
        List<ChoiceBatch> packed = new ArrayList<>();
        try (Session session = graph.startSession()) {
          for (List<EncodedExample> micro : microBatches) {
            packed.add(ChoiceBatch.pack(micro, config.padTokenId()));
          }
          randomWeights(graph.weights(), session, config);
          training.resetState(session);
          out.printf(Locale.ROOT, "tfew: graph built in %.1f s, session and random weights in %.1f s, %d trainable "
              + "parameters%n", buildSeconds, (System.nanoTime() - graphStart) / 1e9 - buildSeconds,
              graph.parameters().count());
          out.flush();
          try (TorchReference torch = noTorch ? null : TorchReference.start(python, torchScript(), config, batchSize,
              inputLen, choices, choiceLen)) {
            if (torch != null) {
              out.println("torch: " + torch.description);
              if (torch.flopsPerStep != flops) {
                out.printf(Locale.ROOT, "warning: the torch script counts %d FLOPs per step, tfew %d%n",
                    torch.flopsPerStep, flops);
              }
              torchPeak = torch.matmulGflops();
            }
            tfPeak = MatmulPeak.gflops(1024, 10, 5);
            out.printf(Locale.ROOT, "float32 1024^3 matmul: tf_java_gflops=%.1f torch_gflops=%.1f%n", tfPeak, torchPeak);
            out.flush();
            ceiling = matmulCeiling(products, out);
            long[] index = {0};
            List<StepStats> traced = new ArrayList<>();
            boolean[] tracing = {false};
            Runnable tfewStep = () -> {
              optimizerStep("bench train", graph, session, training, packed, index[0],
                  tracing[0] ? metadata -> traced.add(metadata.getStepStats()) : null);
              index[0]++;
            };
            long w0 = System.nanoTime();
            for (int i = 0; i < warmup; i++) {
              tfewStep.run();
            }
            if (warmup > 0) {
              out.printf(Locale.ROOT, "tfew warmup: %d steps in %.0f ms%n", warmup, (System.nanoTime() - w0) / 1e6);
            }
            if (torch != null && warmup > 0) {
              out.printf(Locale.ROOT, "torch warmup: %s ms%n", format(torch.run(warmup)));
            }
            for (int round = 1; round <= rounds; round++) {
              double[] ms = new double[steps];
              for (int i = 0; i < steps; i++) {
                long t0 = System.nanoTime();
                tfewStep.run();
                ms[i] = (System.nanoTime() - t0) / 1e6;
                tfewMs.add(ms[i]);
              }
              String line = String.format(Locale.ROOT, "round %d: tfew_ms=%s", round, format(ms));
              if (torch != null) {
                double[] t = torch.run(steps);
                for (double v : t) {
                  torchMs.add(v);
                }
                line += " torch_ms=" + format(t);
              }
              out.println(line + " load_average=" + loadAverage());
              out.flush();
            }
            if (profileSteps > 0) {
              StepProfile profile = new StepProfile();
              tracing[0] = true;
              for (int i = 0; i < profileSteps; i++) {
                long t0 = System.nanoTime();
                tfewStep.run();
                profile.addStep(traced.toArray(StepStats[]::new));
                traced.clear();
                out.printf(Locale.ROOT, "traced step %d: %.0f ms%n", i + 1, (System.nanoTime() - t0) / 1e6);
              }
              tracing[0] = false;
              profile.print(out);
              out.flush();
            }
          }
        } finally {
          packed.forEach(ChoiceBatch::close);
        }
      }
      double tfew = median(tfewMs);
      // The machine's peak as measured here: the faster of the two libraries' matmul (the BLAS torch loads
      // may not use every vector unit the CPU has; oneDNN inside TensorFlow may).
      double peak = Double.isNaN(torchPeak) ? tfPeak : Math.max(tfPeak, torchPeak);
      out.printf(Locale.ROOT, "machine float32 matmul peak (measured, the faster library): %.1f GFLOP/s%n", peak);
      out.printf(Locale.ROOT, "tfew: median %.1f ms/step = %.1f GFLOP/s = %.0f%% of the peak (%.0f%% of TF-Java's "
          + "own matmul rate)%n", tfew, flops / tfew / 1e6, 100 * flops / tfew / 1e6 / peak,
          100 * flops / tfew / 1e6 / tfPeak);
      out.printf(Locale.ROOT, "tfew: %.0f%% of the matmul ceiling of its own shapes (%.1f GFLOP/s, %.0f%% of the "
          + "peak)%n", 100 * flops / tfew / 1e6 / ceiling, ceiling, 100 * ceiling / peak);
      // The ceiling bounds any step of these products, whatever else it runs; what the step takes beyond it is
      // the budget a target rate has to come out of (element-wise work, dropout's draws, the executor, idle
      // cores), whether or not the products themselves reach their ceiling inside the step.
      double productsMs = flops / ceiling / 1e6;
      out.printf(Locale.ROOT, "tfew: %.1f ms of the %.1f ms step (%.0f%%) lie beyond its products' ceiling of %.1f "
          + "ms, the least any step of these products can take (%.0f%% of the peak)%n", tfew - productsMs, tfew,
          100 * (tfew - productsMs) / tfew, productsMs, 100 * ceiling / peak);
      // VmHWM covers the weights, TensorFlow's activations and the JVM: what a 24 GB machine has to hold.
      long peakRss = ResidentMemory.peakBytes();
      out.printf(Locale.ROOT, "tfew: %.1f s per optimizer step (%d examples in %d micro-batches), peak_rss_bytes=%d "
          + "(%.2f GB, the process's VmHWM)%n", tfew / 1e3, batchSize, gradAccum, peakRss, peakRss / 1e9);
      if (torchMs.isEmpty()) {
        out.printf(Locale.ROOT, "tfew_ms_per_step=%.1f torch_ms_per_step=n/a speedup=n/a%n", tfew);
      } else {
        double torchMedian = median(torchMs);
        out.printf(Locale.ROOT, "torch: median %.1f ms/step = %.1f GFLOP/s = %.0f%% of the peak (%.0f%% of torch's "
            + "own matmul rate)%n", torchMedian, flops / torchMedian / 1e6, 100 * flops / torchMedian / 1e6 / peak,
            100 * flops / torchMedian / 1e6 / torchPeak);
        out.printf(Locale.ROOT, "tfew_ms_per_step=%.1f torch_ms_per_step=%.1f speedup=%.2f%n", tfew, torchMedian,
            torchMedian / tfew);
      }
      out.flush();
      return 0;
    }

    /**
     * Times each of the step's product shapes at its best ({@link MatmulPeak}: one at a time or two at once)
     * and prints the rate a step would reach if it did nothing but its products, each at its shape's best
     * rate: the step's efficiency can be judged against that, where the 1024^3 rate is one that 64-wide heads,
     * 8-token decoder rows and 512-wide projections do not reach as they are.
     *
     * @return that rate, GFLOP/s
     */
    private static double matmulCeiling(List<StepMatmuls.Product> products, PrintWriter out) {
      double seconds = 0;
      long flops = 0;
      for (StepMatmuls.Product p : products) {
        double rate = MatmulPeak.gflops(p, 0.05, 3);
        seconds += p.flops() / (rate * 1e9);
        flops += p.flops();
        out.printf(Locale.ROOT, "matmul %s x %d per step: %.1f GFLOP/s at best, %.1f ms%n", p, p.count(), rate,
            p.flops() / rate / 1e6);
      }
      double rate = flops / seconds / 1e9;
      out.printf(Locale.ROOT, "matmul ceiling: the step's %d product shapes, each at its best rate (one at a "
          + "time or two at once): %.1f ms per step, %.1f GFLOP/s%n", products.size(), seconds * 1e3, rate);
      out.flush();
      return rate;
    }

    private Path torchScript() {
      if (script != null) {
        return script;
      }
      String relative = "bench/torch_t5_ia3_step.py";
      try {
        // tfew-core/target/classes -> the checkout
        Path p = Path.of(BenchCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        for (Path dir = p; dir != null; dir = dir.getParent()) {
          if (Files.isRegularFile(dir.resolve(relative))) {
            return dir.resolve(relative);
          }
        }
      } catch (java.net.URISyntaxException | RuntimeException e) {
        // fall through to the working directory
      }
      Path here = Path.of(relative).toAbsolutePath();
      if (!Files.isRegularFile(here)) {
        throw new TfewException("bench train: cannot find " + relative + "; pass --script or use --no-torch");
      }
      return here;
    }

    private static final List<String> LOSSES = List.of("lm", "unlikelihood", "length_norm");

    private static String format(double[] ms) {
      StringBuilder b = new StringBuilder("[");
      for (int i = 0; i < ms.length; i++) {
        b.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.0f", ms[i]));
      }
      return b.append(']').toString();
    }

    private static double median(List<Double> values) {
      double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
      int n = v.length;
      return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    private static String cpuModel() {
      return Machine.cpuModel();
    }

    private static String loadAverage() {
      return Machine.loadAverage();
    }
  }

  /** Peak resident memory of loading a checkpoint, measured in a fresh JVM. */
  @Command(name = "load", mixinStandardHelpOptions = true,
      description = "Writes a random checkpoint (default t5-base shape), loads it in a child JVM and reports "
          + "its peak resident memory and what loading added to the runtime's (peak - baseline), each against the "
          + "checkpoint's float32 size, and the load speed in GB/s.")
  static final class Load implements Callable<Integer> {
    @Option(names = "--shape", defaultValue = "t5-base") String shape;
    @Option(names = "--dir", description = "Where to write the checkpoint (default: a temporary directory, deleted after).")
    Path dir;
    @Option(names = "--child-heap-mb", defaultValue = "256", description = "Java heap of the loading JVM (default: ${DEFAULT-VALUE}).")
    int childHeapMb;
    @Spec CommandSpec spec;
    @Inject PluginContext plugins;

    @Override
    public Integer call() throws IOException, InterruptedException {
      T5Config config = RandomModels.byName(shape);
      boolean temporary = dir == null;
      Path target = temporary ? Files.createTempDirectory("tfew-bench-load") : Files.createDirectories(dir);
      PrintWriter out = spec.commandLine().getOut();
      try {
        long bytes = RandomCheckpointWriter.write(config, target, 7L);
        String java = ProcessHandle.current().info().command().orElse("java");
        // The child's heap holds no weights (they stream into native tensors), so a small heap keeps
        // the JVM's own share of the measurement honest rather than sized for 24 GB machines.
        // JavaCPP would otherwise cap native memory at twice the heap; the weights live there.
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx" + childHeapMb + "m", "-XX:+UseSerialGC",
            "-Dorg.bytedeco.javacpp.maxPhysicalBytes=0", "-Dorg.bytedeco.javacpp.maxBytes=0",
            "-cp", System.getProperty("java.class.path"), TfewCli.class.getName()));
        // Every process tfew starts sees the plugin jars this one sees.
        cmd.addAll(plugins.childArguments());
        cmd.addAll(List.of("bench", "load-child", target.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        Process child = pb.start();
        String peak = null;
        String baseline = null;
        String loadSeconds = null;
        String cpuSeconds = null;
        String touch = null;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
          String line;
          while ((line = r.readLine()) != null) {
            if (line.startsWith("peak_rss_bytes=")) {
              peak = line.substring("peak_rss_bytes=".length());
            } else if (line.startsWith("baseline_rss_bytes=")) {
              baseline = line.substring("baseline_rss_bytes=".length());
            } else if (line.startsWith("load_seconds=")) {
              loadSeconds = line.substring("load_seconds=".length());
            } else if (line.startsWith("load_cpu_seconds=")) {
              cpuSeconds = line.substring("load_cpu_seconds=".length());
            } else if (line.startsWith("first_touch=")) {
              touch = line.substring("first_touch=".length());
            }
          }
        }
        if (child.waitFor() != 0 || peak == null || baseline == null || loadSeconds == null
            || cpuSeconds == null || touch == null) {
          throw new TfewException("bench load: the loading process failed (exit " + child.exitValue() + ")");
        }
        long peakBytes = Long.parseLong(peak);
        out.printf(Locale.ROOT, "model=%s parameters=%,d checkpoint_f32_bytes=%d%n", shape, bytes / 4, bytes);
        out.printf(Locale.ROOT, "baseline_rss_bytes=%s (JVM + TensorFlow runtime before loading)%n", baseline);
        out.printf(Locale.ROOT, "peak_rss_bytes=%d ratio_to_checkpoint=%.3f%n", peakBytes, (double) peakBytes / bytes);
        // The memory target counts what loading adds to the runtime, which is a fixed cost whatever the model.
        long added = peakBytes - Long.parseLong(baseline);
        out.printf(Locale.ROOT, "added_rss_bytes=%d (peak - baseline) ratio_to_checkpoint=%.3f%n", added,
            (double) added / bytes);
        double seconds = Double.parseDouble(loadSeconds);
        // CPU seconds (all threads, TensorFlow's included) beside the wall time: on a shared machine other
        // processes stretch the wall time most, though contention inflates CPU time too.
        out.printf(Locale.ROOT, "weight_load_seconds=%.2f (%.2f GB/s) cpu_seconds=%.2f%n", seconds,
            bytes / seconds / 1e9, Double.parseDouble(cpuSeconds));
        String[] rates = touch.split(",");
        out.printf(Locale.ROOT, "first_touch_gb_per_second=%s (the loading process, after the load, its weights "
            + "still held: 256 MiB of new memory written once; %s GB/s written again; " + FIRST_TOUCH_CONTEXT + ")%n",
            rates[0], rates[1]);
        out.flush();
        return 0;
      } finally {
        if (temporary) {
          deleteCheckpointDirectory(target);
        }
      }
    }
  }

  /** The child side of {@code bench load}; prints its own peak RSS. */
  @Command(name = "load-child", hidden = true)
  static final class LoadChild implements Callable<Integer> {
    @Parameters(index = "0") Path dir;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      T5Config config = T5Config.read(dir.resolve("config.json"));
      PrintWriter out = spec.commandLine().getOut();
      try (ModelGraph graph = new ModelGraph(config, SiteRewrites.none(), false, 1, 0L, SessionOptions.DEFAULT)) {
        RankScoringGraph.build(graph.ops(), graph.model());
        try (Session session = graph.startSession()) {
          out.println("baseline_rss_bytes=" + ResidentMemory.currentBytes());
          var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
          long cpu = os.getProcessCpuTime();
          long start = System.nanoTime();
          try (Checkpoint checkpoint = Checkpoint.open(dir)) {
            graph.weights().load(session, checkpoint, n -> { });
          }
          out.println("load_seconds=" + (System.nanoTime() - start) / 1e9);
          out.println("load_cpu_seconds=" + (os.getProcessCpuTime() - cpu) / 1e9);
          out.println("peak_rss_bytes=" + ResidentMemory.peakBytes());
          // After the peak is read, or the tensor it writes would count; with the weights still held, or it
          // would write the memory they leave, which the process faults in again far faster than new memory.
          FirstTouch touch = FirstTouch.measure(256L << 20);
          out.printf(Locale.ROOT, "first_touch=%.2f,%.2f%n", touch.freshGbPerSecond(), touch.againGbPerSecond());
        }
      }
      out.flush();
      return 0;
    }
  }

  /**
   * Peak resident memory of short training runs, one fresh JVM per method (and optimizer), on one random
   * checkpoint written once.
   */
  @Command(name = "memory", mixinStandardHelpOptions = true,
      description = "Peak resident memory (VmHWM) after loading and after a few training steps, each METHOD[:OPTIMIZER] "
          + "in a fresh JVM on the same random checkpoint, with the difference to the first. "
          + "Example: tfew bench memory --model t5-base --methods lora,qlora --steps 5")
  static final class Memory implements Callable<Integer> {
    @Option(names = "--model", defaultValue = "t5-base",
        description = "A shape (t5-small, t5-base, t5-small-gated, tiny) or a config.json / model directory whose "
            + "config is used; weights are always random (default: ${DEFAULT-VALUE}).")
    String model;
    @Option(names = "--methods", required = true,
        description = "Comma-separated METHOD[:OPTIMIZER] (optimizer adafactor unless given), e.g. lora,qlora or "
            + "full:adamw,lomo.")
    String methods;
    @Option(names = "--steps", defaultValue = "5") int steps;
    @Option(names = "--batch-size", defaultValue = "2") int batchSize;
    @Option(names = "--input-len", defaultValue = "128") int inputLen;
    @Option(names = "--choices", defaultValue = "2") int choices;
    @Option(names = "--choice-len", defaultValue = "8") int choiceLen;
    @Option(names = "--child-heap-mb", defaultValue = "512",
        description = "Java heap of each measuring JVM (default: ${DEFAULT-VALUE}).")
    int childHeapMb;
    @Option(names = "--dir", description = "Where to write the checkpoint (default: a temporary directory, deleted after).")
    Path dir;
    @Spec CommandSpec spec;
    @Inject PluginRegistry registry;
    @Inject PluginContext plugins;

    @Override
    public Integer call() throws IOException, InterruptedException {
      List<MemoryBench.Spec> specs = MemoryBench.Spec.parseList(methods);
      for (MemoryBench.Spec s : specs) {
        registry.method(s.method(), "bench memory --methods");
      }
      MemoryBench.BatchShape shape = new MemoryBench.BatchShape(batchSize, inputLen, choices, choiceLen, steps);
      T5Config config = MemoryBench.model(model);
      PrintWriter out = spec.commandLine().getOut();
      boolean temporary = dir == null;
      Path target = temporary ? Files.createTempDirectory("tfew-bench-memory") : Files.createDirectories(dir);
      try {
        long bytes = RandomCheckpointWriter.write(config, target, 7L);
        out.printf(Locale.ROOT, "machine: cpu=%s cores=%d memory_gb=%.1f load_average=%s%n", Machine.cpuModel(),
            Runtime.getRuntime().availableProcessors(), Machine.totalMemoryBytes() / 1e9, Machine.loadAverage());
        out.printf(Locale.ROOT, "model=%s (d_model %d, d_ff %d%s, %d+%d layers, vocab %d) parameters=%,d "
                + "checkpoint_f32_mb=%.0f%n", model, config.dModel(), config.dFf(), config.gatedFfn() ? " gated" : "",
            config.numLayers(), config.numDecoderLayers(), config.vocabSize(), bytes / 4, bytes / (1024.0 * 1024.0));
        out.printf(Locale.ROOT, "training: %d steps, batch %d x %d input tokens, %d choices x %d tokens, loss lm, "
            + "child heap %d MB%n", steps, batchSize, inputLen, choices, choiceLen, childHeapMb);
        out.flush();
        List<MemoryBench.Measurement> rows = new ArrayList<>();
        for (MemoryBench.Spec s : specs) {
          MemoryBench.Measurement m = MemoryBench.measureInChild(target, s, shape, childHeapMb,
              TfewCli.class.getName(), plugins.childArguments());
          out.printf(Locale.ROOT, "%s: load_peak_rss_bytes=%d train_peak_rss_bytes=%d loss %.4f -> %.4f "
              + "load_average=%s%n", s, m.loadPeakBytes(), m.trainPeakBytes(), m.firstLoss(), m.lastLoss(),
              Machine.loadAverage());
          out.flush();
          rows.add(m);
        }
        out.print(MemoryBench.table(rows));
        out.flush();
        return 0;
      } finally {
        if (temporary) {
          deleteCheckpointDirectory(target);
        }
      }
    }
  }

  /** The child side of {@code bench memory}: one method's training, reported as key=value lines. */
  @Command(name = "memory-child", hidden = true)
  static final class MemoryChild implements Callable<Integer> {
    @Parameters(index = "0") Path dir;
    @Parameters(index = "1") String method;
    @Parameters(index = "2") String optimizer;
    @Parameters(index = "3") int batchSize;
    @Parameters(index = "4") int inputLen;
    @Parameters(index = "5") int choices;
    @Parameters(index = "6") int choiceLen;
    @Parameters(index = "7") int steps;
    @Spec CommandSpec spec;
    @Inject PluginRegistry registry;

    @Override
    public Integer call() {
      MemoryBench.runChild(dir, new MemoryBench.Spec(method, optimizer),
          new MemoryBench.BatchShape(batchSize, inputLen, choices, choiceLen, steps), spec.commandLine().getOut(),
          registry);
      return 0;
    }
  }

  static int[] randomIds(SplittableRandom random, int length, int vocab) {
    int[] ids = new int[length];
    for (int i = 0; i < length - 1; i++) {
      ids[i] = 2 + random.nextInt(vocab - 2);
    }
    ids[length - 1] = 1;
    return ids;
  }

  /** (IA)^3 with T-Few's three losses, as bench train and bench startup train it. */
  record Ia3Training(io.tfew.api.peft.PeftMethod method, List<TrainingGraph.WeightedLoss> losses) {
    static Ia3Training discover(PluginRegistry registry, String who) {
      String missing = java.util.stream.Stream.of("ia3").filter(n -> !registry.methods().containsKey(n))
          .map(n -> "PEFT method " + n).collect(java.util.stream.Collectors.joining(", "));
      for (String loss : Train.LOSSES) {
        if (!registry.losses().containsKey(loss)) {
          missing += (missing.isEmpty() ? "" : ", ") + "loss " + loss;
        }
      }
      if (!missing.isEmpty()) {
        throw new TfewException(who + ": the plugins it trains with are not on the class path (" + missing
            + "); run it through ./tfew, which puts every plugin module of the build on the class path");
      }
      var ia3Provider = registry.method("ia3", who);
      var ia3 = ia3Provider.create(ConfigSection.defaults("peft.ia3", ia3Provider.configFields()));
      List<TrainingGraph.WeightedLoss> losses = new ArrayList<>();
      for (String name : Train.LOSSES) {
        var provider = registry.loss(name, who);
        losses.add(new TrainingGraph.WeightedLoss(name,
            provider.create(ConfigSection.defaults("losses." + name, provider.configFields())), 1.0));
      }
      return new Ia3Training(ia3, losses);
    }
  }

  /**
   * Where the time goes before training runs: building the (IA)^3 training graph, loading the weights from
   * a checkpoint on disk, the first step (which pays for TensorFlow's graph optimisation) and the steady step.
   */
  @Command(name = "startup", mixinStandardHelpOptions = true,
      description = "Seconds to build the (IA)^3 training graph, load the weights from a safetensors checkpoint "
          + "(with GB/s), run the first step and a steady step. Without --model it writes a random checkpoint of "
          + "--shape first (t0-3b: 11.4 GB) and deletes it after.")
  static final class Startup implements Callable<Integer> {
    @Option(names = "--shape", defaultValue = "t5-small",
        description = "t5-small (default), t5-base, t5-small-gated, t0-3b, or tiny (a test-sized model).")
    String shape;
    @Option(names = "--model", description = "A model directory (config.json + safetensors) to load instead.")
    Path model;
    @Option(names = "--dir", description = "Where to write the random checkpoint (default: a temporary directory).")
    Path dir;
    @Option(names = "--batch-size", defaultValue = "2") int batchSize;
    @Option(names = "--input-len", defaultValue = "64") int inputLen;
    @Option(names = "--steady-steps", defaultValue = "3") int steadySteps;
    @Option(names = "--grad-accum", defaultValue = "1",
        description = "Micro-batches per optimizer step (--batch-size must be a multiple). Each step's line then "
            + "lists its micro-batches' seconds: whether the run that applies the update is optimised again "
            + "after the ones that accumulate shows in the first step's.")
    int gradAccum;
    @Spec CommandSpec spec;
    @Inject PluginRegistry registry;

    @Override
    public Integer call() throws IOException {
      if (batchSize < 1 || inputLen < 2 || steadySteps < 1) {
        throw new TfewException("bench startup: --batch-size and --steady-steps must be positive and --input-len "
            + "at least 2");
      }
      if (gradAccum < 1 || batchSize % gradAccum != 0) {
        throw new TfewException("bench startup: --grad-accum " + gradAccum + " must be positive and divide "
            + "--batch-size " + batchSize + "; e.g. --batch-size " + batchSize * Math.max(1, gradAccum)
            + " --grad-accum " + Math.max(1, gradAccum));
      }
      Ia3Training setup = Ia3Training.discover(registry, "bench startup");
      PrintWriter out = spec.commandLine().getOut();
      boolean temporary = model == null && dir == null;
      Path checkpointDir = model != null ? model
          : temporary ? Files.createTempDirectory("tfew-bench-startup") : Files.createDirectories(dir);
      try {
        T5Config config;
        if (model == null) {
          config = "tiny".equals(shape) ? RandomModels.tiny(64) : RandomModels.byName(shape);
          long t0 = System.nanoTime();
          long bytes = RandomCheckpointWriter.write(config, checkpointDir, 7L);
          out.printf(Locale.ROOT, "random checkpoint: %s, %,d bytes written in %.1f s%n", shape, bytes,
              (System.nanoTime() - t0) / 1e9);
        } else {
          config = T5Config.read(model.resolve("config.json"));
        }
        out.printf(Locale.ROOT, "machine: cpu=%s cores=%d load_average=%s%n", Train.cpuModel(),
            Runtime.getRuntime().availableProcessors(), Train.loadAverage());
        out.printf(Locale.ROOT, "model=%s d_model=%d layers=%d+%d batch=%d input_len=%d%n",
            model == null ? shape : model.toString(), config.dModel(), config.numLayers(), config.numDecoderLayers(),
            batchSize, inputLen);
        out.flush();
        SplittableRandom random = new SplittableRandom(1);
        List<EncodedExample> batch = new ArrayList<>();
        for (int b = 0; b < batchSize; b++) {
          batch.add(new EncodedExample(randomIds(random, inputLen, config.vocabSize()),
              List.of(randomIds(random, 4, config.vocabSize()), randomIds(random, 4, config.vocabSize())), 0, 0));
        }
        long t0 = System.nanoTime();
        try (ModelGraph graph = new ModelGraph(config,
            new SiteRewrites(List.of(new SiteRewrites.Active("ia3", setup.method()))), true, 1, 1L,
            SessionOptions.DEFAULT)) {
          TrainingGraph training = TrainingGraph.build(graph, setup.losses(), new Adafactor(), gradAccum, 1.0);
          double build = (System.nanoTime() - t0) / 1e9;
          out.printf(Locale.ROOT, "graph_build_seconds=%.2f (%,d operations; %.2f s of it the session and the "
              + "loading executor, built once the weights alone were declared)%n", build, graph.operationCount(),
              graph.earlySessionSeconds());
          out.flush();
          long t1 = System.nanoTime();
          List<ChoiceBatch> micro = new ArrayList<>();
          int microSize = batchSize / gradAccum;
          for (int m = 0; m < gradAccum; m++) {
            micro.add(ChoiceBatch.pack(batch.subList(m * microSize, (m + 1) * microSize), config.padTokenId()));
          }
          try (Session session = graph.startSession()) {
            training.resetState(session);
            double sessionSeconds = (System.nanoTime() - t1) / 1e9;
            double signature = newSignatureSeconds(graph, session);
            long t2 = System.nanoTime();
            LoadRuns runs = new LoadRuns();
            try (Checkpoint checkpoint = Checkpoint.open(checkpointDir)) {
              graph.weights().load(session, checkpoint, runs);
            }
            long end = System.nanoTime();
            long bytes = 4 * runs.values;
            double load = (end - t2) / 1e9;
            out.printf(Locale.ROOT, "session_seconds=%.2f%n", sessionSeconds);
            out.printf(Locale.ROOT, "new_signature_seconds=%.3f (a first run that only fetches a constant: what "
                + "TensorFlow spends on any new run signature of this graph, copying and pruning it whole)%n", signature);
            String after = runs.count < 2 ? "" : String.format(Locale.ROOT,
                "; %.2f s to its first run, whose executor the graph built already, then %d runs at %.2f GB/s",
                (runs.firstAt - t2) / 1e9, runs.count - 1,
                4.0 * (runs.values - runs.firstValues) / ((end - runs.firstAt) / 1e9) / 1e9);
            out.printf(Locale.ROOT, "weight_load_seconds=%.2f (%,d bytes, %.2f GB/s%s)%n", load, bytes,
                bytes / load / 1e9, after);
            out.flush();
            double[] first = optimizerStep("bench startup", graph, session, training, micro, 0, null);
            out.printf(Locale.ROOT, "first_step_seconds=%.2f%s%n", Arrays.stream(first).sum(), microBatches(first));
            out.flush();
            List<Double> steady = new ArrayList<>();
            double[] last = first;
            for (int i = 1; i <= steadySteps; i++) {
              last = optimizerStep("bench startup", graph, session, training, micro, i, null);
              steady.add(Arrays.stream(last).sum());
            }
            out.printf(Locale.ROOT, "steady_step_seconds=%.3f (median of %d)%s%n", Train.median(steady), steadySteps,
                microBatches(last));
            out.printf(Locale.ROOT, "peak_rss_bytes=%d%n", ResidentMemory.peakBytes());
            FirstTouch touch = FirstTouch.measure(256L << 20);
            out.printf(Locale.ROOT, "first_touch_gb_per_second=%.2f (256 MiB of new memory written once; %.2f GB/s "
                + "written again: " + FIRST_TOUCH_CONTEXT + "; measured last, since memory freed before it would "
                + "fault in faster)%n", touch.freshGbPerSecond(), touch.againGbPerSecond());
          } finally {
            micro.forEach(ChoiceBatch::close);
          }
        }
        out.flush();
        return 0;
      } finally {
        if (temporary) {
          deleteCheckpointDirectory(checkpointDir);
        }
      }
    }
  }

  /**
   * Seconds of a session's first run that fetches one constant of the graph and nothing else: the part of a new
   * run signature's cost that does not depend on what the signature runs.
   */
  private static double newSignatureSeconds(ModelGraph graph, Session session) {
    Iterator<GraphOperation> ops = ((Graph) graph.ops().scope().env()).operations();
    while (ops.hasNext()) {
      GraphOperation op = ops.next();
      if (op.type().equals("Const")) {
        long t = System.nanoTime();
        try (Result r = session.runner().fetch(op.output(0)).run()) {
          return (System.nanoTime() - t) / 1e9;
        }
      }
    }
    throw new IllegalStateException("the graph has no constant");
  }

  /**
   * The loader's progress, which it reports once its run's executor is built and then after each group of weights:
   * how many reports, and when the first came (the executor is a fixed cost apart from the bytes).
   */
  private static final class LoadRuns implements java.util.function.LongConsumer {
    int count;
    long firstAt;
    long firstValues;
    long values;

    @Override
    public void accept(long loadedValues) {
      if (count++ == 0) {
        firstAt = System.nanoTime();
        firstValues = loadedValues;
      }
      values = loadedValues;
    }
  }

  /**
   * Optimizer step {@code index} (from 0) of a benchmark, micro-batch by micro-batch as Trainer runs them (the last
   * applies the mean gradient); each micro-batch's seconds. A loss that is not finite stops the benchmark.
   */
  private static double[] optimizerStep(String command, ModelGraph graph, Session session, TrainingGraph training,
      List<ChoiceBatch> micro, long index, java.util.function.Consumer<org.tensorflow.proto.RunMetadata> trace) {
    double[] seconds = new double[micro.size()];
    for (int m = 0; m < micro.size(); m++) {
      long t = System.nanoTime();
      double[] r = Trainer.runStep(graph, session, training, micro.get(m), 1L, index * micro.size() + m, 3e-3,
          index + 1, m == micro.size() - 1, trace);
      seconds[m] = (System.nanoTime() - t) / 1e9;
      if (!Double.isFinite(r[0])) {
        throw new TfewException(command + ": the loss is " + r[0] + " at step " + (index + 1));
      }
    }
    return seconds;
  }

  /** " (micro-batches: 2.41, 0.25 s)" for an accumulated step; nothing for a single run. */
  private static String microBatches(double[] seconds) {
    if (seconds.length == 1) {
      return "";
    }
    return Arrays.stream(seconds).mapToObj(v -> String.format(Locale.ROOT, "%.2f", v))
        .collect(java.util.stream.Collectors.joining(", ", " (micro-batches: ", " s)"));
  }

  static void randomWeights(T5Weights weights, Session session, T5Config config) {
    SplittableRandom random = new SplittableRandom(3);
    try (T5Weights.AssignBatch batch = weights.assignBatch(session)) {
      for (var e : weights.shapes().entrySet()) {
        TFloat32 t = TFloat32.tensorOf(Shape.of(e.getValue()));
        boolean norm = e.getKey().endsWith("layer_norm.weight");
        float[] chunk = new float[1 << 16];
        var buffer = t.asRawTensor().data().asFloats();
        for (long offset = 0; offset < t.size(); offset += chunk.length) {
          int n = (int) Math.min(chunk.length, t.size() - offset);
          for (int i = 0; i < n; i++) {
            chunk[i] = norm ? 1f : (float) ((random.nextDouble() - 0.5) * 0.1);
          }
          buffer.offset(offset).write(chunk, 0, n);
        }
        batch.add(e.getKey(), t);
      }
    }
  }

  /** Removes a random checkpoint a bench wrote to a temporary directory (files only, no subdirectories). */
  private static void deleteCheckpointDirectory(Path dir) throws IOException {
    try (var files = Files.list(dir)) {
      for (Path p : files.toList()) {
        Files.deleteIfExists(p);
      }
    }
    Files.deleteIfExists(dir);
  }
}
