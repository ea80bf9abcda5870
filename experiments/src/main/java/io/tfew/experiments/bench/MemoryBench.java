package io.tfew.experiments.bench;

import io.tfew.api.TfewException;
import io.tfew.api.config.ConfigSection;
import io.tfew.api.peft.PeftMethod;
import io.tfew.api.peft.PeftMethodProvider;
import io.tfew.core.checkpoint.Checkpoint;
import io.tfew.core.model.RandomModels;
import io.tfew.core.model.SiteRewrites;
import io.tfew.core.model.T5Config;
import io.tfew.core.optim.Optimizers;
import io.tfew.core.plugin.PluginRegistry;
import io.tfew.core.runtime.ModelGraph;
import io.tfew.core.runtime.SessionOptions;
import io.tfew.core.score.ChoiceBatch;
import io.tfew.core.score.EncodedExample;
import io.tfew.core.train.Trainer;
import io.tfew.core.train.TrainingGraph;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.tensorflow.Session;

/**
 * Peak resident memory of short training runs, one fresh JVM per (PEFT method, optimizer), on one
 * checkpoint: what {@code tfew bench memory} measures.
 *
 * <p>Each child builds the training graph {@code tfew train} builds (the method with its default options,
 * the {@code lm} loss, the optimizer), loads the checkpoint, then runs the steps; it reports the peak
 * resident set ({@code VmHWM}, which covers the JVM heap, TensorFlow's native memory and mapped files)
 * after the load and after the steps. A fresh process per measurement keeps one method's peak from
 * hiding the next one's.
 *
 * <pre>{@code
 * List<MemoryBench.Spec> specs = MemoryBench.Spec.parseList("lora,qlora");
 * MemoryBench.Measurement m = MemoryBench.measureInChild(checkpointDir, specs.get(0), shape, 512,
 *     "io.tfew.cli.TfewCli", List.of());
 * }</pre>
 */
public final class MemoryBench {
  private static final String LOSS = "lm";

  private MemoryBench() {}

  /** A method and the optimizer that trains it: {@code lora} or {@code full:adamw}. */
  public record Spec(String method, String optimizer) {
    /** Parses a comma-separated list of {@code method[:optimizer]} (default optimizer: adafactor). */
    public static List<Spec> parseList(String csv) {
      List<Spec> specs = new ArrayList<>();
      for (String part : csv.split(",")) {
        String s = part.strip();
        if (s.isEmpty()) {
          continue;
        }
        int colon = s.indexOf(':');
        String method = colon < 0 ? s : s.substring(0, colon);
        String optimizer = colon < 0 ? Optimizers.NAMES.get(0) : s.substring(colon + 1);
        if (method.isEmpty() || optimizer.isEmpty()) {
          throw new TfewException("--methods: '" + s + "' is not METHOD or METHOD:OPTIMIZER (e.g. lora, full:adamw)");
        }
        if (!Optimizers.NAMES.contains(optimizer)) {
          throw new TfewException("--methods: '" + s + "': unknown optimizer '" + optimizer + "'; use one of "
              + Optimizers.NAMES);
        }
        specs.add(new Spec(method, optimizer));
      }
      if (specs.isEmpty()) {
        throw new TfewException("--methods: no method given; list them, e.g. --methods lora,qlora");
      }
      return specs;
    }

    @Override
    public String toString() {
      return method + ":" + optimizer;
    }
  }

  /** The training batch every child runs, for the same work per step whatever the method. */
  public record BatchShape(int batchSize, int inputLen, int choices, int choiceLen, int steps) {
    public BatchShape {
      if (batchSize < 1 || inputLen < 2 || choices < 2 || choiceLen < 1 || steps < 1) {
        throw new TfewException("bench memory: batch size, steps and choice length must be positive, input length "
            + "at least 2, choices at least 2");
      }
    }
  }

  /**
   * One child's report. Bytes are -1 where /proc is unavailable. {@code update} is the update that ran: the
   * optimizer asked for, or {@code fused-sgd} for a method that asks for SGD in the backward pass (lomo).
   */
  public record Measurement(Spec spec, String update, long trainable, long baselineBytes, long loadPeakBytes,
      long trainPeakBytes, double firstLoss, double lastLoss) {}

  /**
   * Runs one measurement in a fresh JVM on the class path of this one; its stderr passes through.
   *
   * @param mainClass the command-line entry point the child runs ({@code bench memory-child ...}); the caller
   *     names it, as this layer sits below the command line
   * @param pluginArguments what puts this process's plugin jars on the child's plugin path
   *     ({@code PluginContext.childArguments()})
   */
  public static Measurement measureInChild(Path checkpointDir, Spec spec, BatchShape shape, int childHeapMb,
      String mainClass, List<String> pluginArguments) throws IOException, InterruptedException {
    String java = ProcessHandle.current().info().command().orElse("java");
    // A small heap keeps the JVM's own share honest; JavaCPP would otherwise cap native memory (where the
    // weights live) at twice the heap.
    List<String> cmd = new ArrayList<>(List.of(java, "-Xmx" + childHeapMb + "m", "-XX:+UseSerialGC",
        "-Dorg.bytedeco.javacpp.maxPhysicalBytes=0", "-Dorg.bytedeco.javacpp.maxBytes=0",
        "-cp", System.getProperty("java.class.path"), mainClass));
    cmd.addAll(pluginArguments);
    cmd.addAll(List.of("bench", "memory-child",
        checkpointDir.toString(), spec.method(), spec.optimizer(), String.valueOf(shape.batchSize()),
        String.valueOf(shape.inputLen()), String.valueOf(shape.choices()), String.valueOf(shape.choiceLen()),
        String.valueOf(shape.steps())));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.redirectError(ProcessBuilder.Redirect.INHERIT);
    Process child = pb.start();
    Map<String, String> values = new LinkedHashMap<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        int eq = line.indexOf('=');
        if (eq > 0) {
          values.put(line.substring(0, eq), line.substring(eq + 1));
        }
      }
    }
    int exit = child.waitFor();
    if (exit != 0 || !values.containsKey("train_peak_rss_bytes")) {
      throw new TfewException("bench memory: the child measuring " + spec + " failed (exit " + exit
          + "); its error is printed above");
    }
    return new Measurement(spec, values.getOrDefault("update", spec.optimizer()),
        Long.parseLong(values.get("trainable_parameters")),
        Long.parseLong(values.get("baseline_rss_bytes")), Long.parseLong(values.get("load_peak_rss_bytes")),
        Long.parseLong(values.get("train_peak_rss_bytes")), Double.parseDouble(values.get("first_loss")),
        Double.parseDouble(values.get("last_loss")));
  }

  /** The child's side: trains and prints {@code key=value} lines for {@link #measureInChild}. */
  public static void runChild(Path checkpointDir, Spec spec, BatchShape shape, PrintWriter out,
      PluginRegistry registry) {
    PeftMethodProvider provider = registry.method(spec.method(), "bench memory --methods");
    PeftMethod method = provider.create(ConfigSection.defaults("peft." + spec.method(), provider.configFields()));
    var lossProvider = registry.loss(LOSS, "bench memory");
    List<TrainingGraph.WeightedLoss> losses = List.of(new TrainingGraph.WeightedLoss(LOSS,
        lossProvider.create(ConfigSection.defaults("losses." + LOSS, lossProvider.configFields())), 1.0));
    T5Config config = T5Config.read(checkpointDir.resolve("config.json"));
    List<EncodedExample> batch = randomBatch(config, shape);
    try (ModelGraph graph = new ModelGraph(config, new SiteRewrites(List.of(new SiteRewrites.Active(spec.method(),
        method))), true, 1, 1L, SessionOptions.DEFAULT)) {
      // A method that asks for SGD fused into the backward pass (lomo) is measured with it: that is its point.
      boolean fused = method.updateRule() == io.tfew.api.peft.UpdateRule.FUSED_SGD;
      TrainingGraph training = fused
          ? TrainingGraph.buildFused(graph, losses, 1.0)
          : TrainingGraph.build(graph, losses, Optimizers.byName(spec.optimizer(), "bench memory"), 1, 1.0);
      out.println("update=" + (fused ? "fused-sgd" : spec.optimizer()));
      graph.rewrites().requireEveryMethodTouchedASite(graph.parameters());
      try (Session session = graph.startSession(); ChoiceBatch packed = ChoiceBatch.pack(batch, config.padTokenId())) {
        out.println("baseline_rss_bytes=" + ResidentMemory.currentBytes());
        try (Checkpoint checkpoint = Checkpoint.open(checkpointDir)) {
          graph.weights().load(session, checkpoint, n -> { });
        }
        graph.parameters().initializeFromBase(session);
        training.resetState(session);
        out.println("load_peak_rss_bytes=" + ResidentMemory.peakBytes());
        out.println("trainable_parameters=" + graph.parameters().count());
        out.flush();
        double first = Double.NaN;
        double last = Double.NaN;
        for (int i = 0; i < shape.steps(); i++) {
          double[] r = Trainer.runStep(graph, session, training, packed, 1L, i, 1e-3, i + 1, true);
          first = i == 0 ? r[0] : first;
          last = r[0];
        }
        out.println("first_loss=" + first);
        out.println("last_loss=" + last);
        out.println("train_peak_rss_bytes=" + ResidentMemory.peakBytes());
      }
    }
    out.flush();
  }

  private static List<EncodedExample> randomBatch(T5Config config, BatchShape shape) {
    SplittableRandom random = new SplittableRandom(1);
    List<EncodedExample> batch = new ArrayList<>();
    for (int b = 0; b < shape.batchSize(); b++) {
      List<int[]> choices = new ArrayList<>();
      for (int c = 0; c < shape.choices(); c++) {
        choices.add(randomIds(random, shape.choiceLen(), config.vocabSize()));
      }
      batch.add(new EncodedExample(randomIds(random, shape.inputLen(), config.vocabSize()), choices, 0, 0));
    }
    return batch;
  }

  private static int[] randomIds(SplittableRandom random, int length, int vocab) {
    int[] ids = new int[length];
    for (int i = 0; i < length - 1; i++) {
      ids[i] = 2 + random.nextInt(vocab - 2);
    }
    ids[length - 1] = 1;
    return ids;
  }

  /** The table {@code tfew bench memory} prints: one row per measurement, deltas against the first. */
  public static String table(List<Measurement> rows) {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "| %-18s | %12s | %12s | %14s | %15s | %16s | %17s |%n", "method:update",
        "trainable", "baseline MB", "load peak MB", "train peak MB", "load vs first MB", "train vs first MB"));
    b.append("|").append("-".repeat(20)).append("|").append("-".repeat(14)).append("|").append("-".repeat(14))
        .append("|").append("-".repeat(16)).append("|").append("-".repeat(17)).append("|").append("-".repeat(18))
        .append("|").append("-".repeat(19)).append("|").append(System.lineSeparator());
    Measurement first = rows.get(0);
    for (Measurement m : rows) {
      b.append(String.format(Locale.ROOT, "| %-18s | %,12d | %12.0f | %14.0f | %15.0f | %+16.0f | %+17.0f |%n",
          m.spec().method() + ":" + m.update(), m.trainable(), mb(m.baselineBytes()), mb(m.loadPeakBytes()), mb(m.trainPeakBytes()),
          mb(m.loadPeakBytes()) - mb(first.loadPeakBytes()), mb(m.trainPeakBytes()) - mb(first.trainPeakBytes())));
    }
    return b.toString();
  }

  private static double mb(long bytes) {
    return bytes / (1024.0 * 1024.0);
  }

  /** Shape names {@link #model} knows; anything else is read as a path. */
  public static final List<String> SHAPES = List.of("t5-small", "t5-base", "t5-small-gated", "tiny");

  /** A model by shape name ({@link #SHAPES}) or a config.json (or the model directory holding one). */
  public static T5Config model(String nameOrPath) {
    if (nameOrPath.equals("tiny")) {
      return RandomModels.tiny(64);
    }
    if (SHAPES.contains(nameOrPath)) {
      return RandomModels.byName(nameOrPath);
    }
    Path p = Path.of(nameOrPath);
    if (Files.isDirectory(p)) {
      return T5Config.read(p.resolve("config.json"));
    }
    if (Files.isRegularFile(p)) {
      return T5Config.read(p);
    }
    throw new TfewException("--model " + nameOrPath + ": not a shape name " + SHAPES + ", and no such file or "
        + "directory; give a config.json or a model directory holding one");
  }
}
