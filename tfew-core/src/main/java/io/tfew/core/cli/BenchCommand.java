package io.tfew.core.cli;

import io.tfew.api.TfewException;
import io.tfew.core.bench.RandomCheckpointWriter;
import io.tfew.core.bench.RandomModels;
import io.tfew.core.bench.ResidentMemory;
import io.tfew.core.checkpoint.Checkpoint;
import io.tfew.core.model.SiteRewrites;
import io.tfew.core.model.T5Config;
import io.tfew.core.model.T5Weights;
import io.tfew.core.runtime.ModelGraph;
import io.tfew.core.score.EncodedExample;
import io.tfew.core.score.RankScorer;
import io.tfew.core.score.RankScoringGraph;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.tensorflow.Session;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code tfew bench}: throughput and memory on random models of known shapes. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks on random weights.",
    subcommands = {BenchCommand.Score.class, BenchCommand.Load.class, BenchCommand.LoadChild.class})
public final class BenchCommand {

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

  /** Peak resident memory of loading a checkpoint, measured in a fresh JVM. */
  @Command(name = "load", mixinStandardHelpOptions = true,
      description = "Writes a random checkpoint (default t5-base shape), loads it in a child JVM and reports "
          + "its peak resident memory against the checkpoint's float32 size.")
  static final class Load implements Callable<Integer> {
    @Option(names = "--shape", defaultValue = "t5-base") String shape;
    @Option(names = "--dir", description = "Where to write the checkpoint (default: a temporary directory, deleted after).")
    Path dir;
    @Option(names = "--child-heap-mb", defaultValue = "256", description = "Java heap of the loading JVM (default: ${DEFAULT-VALUE}).")
    int childHeapMb;
    @Spec CommandSpec spec;

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
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx" + childHeapMb + "m", "-XX:+UseSerialGC",
            "-Dorg.bytedeco.javacpp.maxPhysicalBytes=0", "-Dorg.bytedeco.javacpp.maxBytes=0",
            "-cp", System.getProperty("java.class.path"),
            TfewCli.class.getName(), "bench", "load-child", target.toString());
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        Process child = pb.start();
        String peak = null;
        String baseline = null;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
          String line;
          while ((line = r.readLine()) != null) {
            if (line.startsWith("peak_rss_bytes=")) {
              peak = line.substring("peak_rss_bytes=".length());
            } else if (line.startsWith("baseline_rss_bytes=")) {
              baseline = line.substring("baseline_rss_bytes=".length());
            }
          }
        }
        if (child.waitFor() != 0 || peak == null) {
          throw new TfewException("bench load: the loading process failed (exit " + child.exitValue() + ")");
        }
        long peakBytes = Long.parseLong(peak);
        out.printf(Locale.ROOT, "model=%s parameters=%,d checkpoint_f32_bytes=%d%n", shape, bytes / 4, bytes);
        out.printf(Locale.ROOT, "baseline_rss_bytes=%s (JVM + TensorFlow runtime before loading)%n", baseline);
        out.printf(Locale.ROOT, "peak_rss_bytes=%d ratio_to_checkpoint=%.3f%n", peakBytes, (double) peakBytes / bytes);
        out.flush();
        return 0;
      } finally {
        if (temporary) {
          try (var files = Files.list(target)) {
            for (Path p : files.toList()) {
              Files.deleteIfExists(p);
            }
          }
          Files.deleteIfExists(target);
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
      try (ModelGraph graph = new ModelGraph(config, SiteRewrites.none(), false, 1, 0L)) {
        RankScoringGraph.build(graph.ops(), graph.model());
        try (Session session = graph.startSession()) {
          out.println("baseline_rss_bytes=" + ResidentMemory.currentBytes());
          try (Checkpoint checkpoint = Checkpoint.open(dir)) {
            graph.weights().load(session, checkpoint, n -> { });
          }
          out.println("peak_rss_bytes=" + ResidentMemory.peakBytes());
        }
      }
      out.flush();
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

  static void randomWeights(T5Weights weights, Session session, T5Config config) {
    SplittableRandom random = new SplittableRandom(3);
    for (var e : weights.shapes().entrySet()) {
      long n = 1;
      for (long d : e.getValue()) {
        n *= d;
      }
      float[] values = new float[Math.toIntExact(n)];
      boolean norm = e.getKey().endsWith("layer_norm.weight");
      for (int i = 0; i < values.length; i++) {
        values[i] = norm ? 1f : (float) ((random.nextDouble() - 0.5) * 0.1);
      }
      weights.assign(session, e.getKey(), values);
    }
  }
}
