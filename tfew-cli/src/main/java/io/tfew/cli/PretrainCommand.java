package io.tfew.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.google.inject.Inject;
import io.tfew.api.TfewException;
import io.tfew.api.config.ConfigSection;
import io.tfew.api.loss.LossProvider;
import io.tfew.api.peft.PeftMethodProvider;
import io.tfew.core.data.AtomicText;
import io.tfew.core.data.JsonlWriter;
import io.tfew.core.plugin.PluginRegistry;
import io.tfew.experiments.minit0.Pretraining;
import io.tfew.experiments.run.FileDigests;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tfew pretrain}: multitask pre-training of a mini-T0 model from random weights, or with {@code --peft}
 * of a PEFT method's parameters on a frozen pre-trained model (T-Few's (IA)^3 pre-training). Beside the model
 * it writes {@code pretrain.json} (command, seed, threads, options, progress, sha256) at every save, and
 * {@code loss.jsonl} (the training curve).
 */
@Command(name = "pretrain", mixinStandardHelpOptions = true,
    description = "Pre-train a small T5 from scratch on the mini-T0 training families (plain LM loss, all weights "
        + "trained); writes a Hugging Face model directory to --out. With --peft M --model DIR: train only method M's "
        + "parameters on the same mixture (Adafactor), the model frozen; writes OUT/adapter/.")
public final class PretrainCommand implements Callable<Integer> {
  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Model directory to write.")
  Path out;
  @Option(names = "--peft", paramLabel = "METHOD",
      description = "Train this PEFT method's parameters (e.g. ia3, with its default options) on a frozen --model "
          + "instead of pre-training a model; writes OUT/adapter/ as tfew train does.")
  String peft;
  @Option(names = "--model", paramLabel = "DIR",
      description = "With --peft: the pre-trained model directory to keep frozen (e.g. models/mini-t0).")
  Path model;
  @Option(names = "--shape", defaultValue = "mini", description = "mini (default) or tiny (test-sized).")
  String shape;
  @Option(names = "--steps", defaultValue = "2400", description = "Optimizer steps (default: ${DEFAULT-VALUE}).")
  int steps;
  @Option(names = "--batch-size", defaultValue = "96", description = "Prompts per step (default: ${DEFAULT-VALUE}).")
  int batchSize;
  @Option(names = "--lr", defaultValue = "2e-3", description = "Peak AdamW learning rate (default: ${DEFAULT-VALUE}).")
  double lr;
  @Option(names = "--warmup", defaultValue = "100", description = "Linear warm-up steps (default: ${DEFAULT-VALUE}).")
  int warmup;
  @Option(names = "--lr-floor", defaultValue = "0.05",
      description = "Cosine decay ends at this fraction of the peak (default: ${DEFAULT-VALUE}).")
  double lrFloor;
  @Option(names = "--max-grad-norm", defaultValue = "1.0", description = "Global-norm clip, 0 for none (default: ${DEFAULT-VALUE}).")
  double maxGradNorm;
  @Option(names = "--save-every", defaultValue = "200",
      description = "Rewrite the model every this many steps, 0 for only at the end (default: ${DEFAULT-VALUE}).")
  int saveEvery;
  @Option(names = "--log-every", defaultValue = "10", description = "Loss line every this many steps (default: ${DEFAULT-VALUE}).")
  int logEvery;
  @Option(names = "--seed", defaultValue = "1", description = "Seeds the weights and the data (default: ${DEFAULT-VALUE}).")
  long seed;
  @Option(names = "--resume", description = "Continue from DIR/training-state if a state is there.")
  boolean resume;
  @Spec
  CommandSpec spec;

  private final PluginRegistry registry;

  @Inject
  PretrainCommand(PluginRegistry registry) {
    this.registry = registry;
  }

  @Override
  public Integer call() {
    if (logEvery < 1) {
      throw new TfewException("--log-every = " + logEvery + ": must be at least 1");
    }
    Pretraining.Options options = new Pretraining.Options(shape, steps, batchSize, lr, warmup, lrFloor, maxGradNorm,
        saveEvery, seed);
    if (!registry.losses().containsKey("lm")) {
      throw new TfewException("pretrain: the 'lm' loss plugin (tfew-losses) is not on the class path; run it "
          + "through ./tfew, which puts every plugin module of the build on the class path");
    }
    LossProvider lm = registry.loss("lm", "pretrain");
    Pretraining.Adapter adapter = adapter();
    PrintWriter stdout = spec.commandLine().getOut();
    String command = "tfew " + String.join(" ", spec.commandLine().getParseResult().originalArgs());
    long start = System.nanoTime();
    List<Map<String, Object>> curve = new ArrayList<>();
    double[] lastLoss = {Double.NaN};
    Pretraining.Outcome outcome;
    try (ProgressBar bar = Progress.bar("pretrain", steps, "step")) {
      Pretraining.Listener listener = new Pretraining.Listener() {
            @Override
            public void onStep(long step, double loss, double learningRate) {
              lastLoss[0] = loss;
              bar.stepTo(step);
              bar.setExtraMessage(String.format(Locale.ROOT, "loss %.4f", loss));
              if (step % logEvery == 0 || step == steps) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("step", step);
                row.put("loss", loss);
                row.put("lr", learningRate);
                row.put("seconds", Math.round((System.nanoTime() - start) / 1e7) / 100.0);
                curve.add(row);
                stdout.printf(Locale.ROOT, "step %d/%d loss %.4f lr %.2e %.1f s%n", step, steps, loss, learningRate,
                    (System.nanoTime() - start) / 1e9);
                stdout.flush();
              }
            }

            @Override
            public void onSave(long step, Path modelFile) {
              writeCurve(out.resolve("loss.jsonl"), curve);
              writeRecord(options, adapter, command, step, lastLoss[0], (System.nanoTime() - start) / 1e9,
                  modelFile);
            }
          };
      var loss = lm.create(ConfigSection.defaults("losses.lm", lm.configFields()));
      outcome = adapter == null ? Pretraining.run(out, options, loss, resume, listener)
          : Pretraining.runAdapter(out, adapter, options, loss, resume, listener);
    }
    stdout.printf(Locale.ROOT, "%s: %s (%,d trained parameters), steps %d..%d, final loss %.4f, %.1f s%n",
        adapter == null ? "model" : "adapter", adapter == null ? out : out.resolve(Pretraining.ADAPTER_DIR),
        outcome.parameters(), outcome.startStep(), outcome.endStep(), outcome.lastLoss(),
        (System.nanoTime() - start) / 1e9);
    stdout.flush();
    return 0;
  }

  /** The method {@code --peft} names, with its default options, on {@code --model}; null without {@code --peft}. */
  private Pretraining.Adapter adapter() {
    if (peft == null) {
      if (model != null) {
        throw new TfewException("--model " + model + ": only used with --peft (which method to train on it); "
            + "without --peft, tfew pretrain trains a model from random weights");
      }
      return null;
    }
    if (model == null) {
      throw new TfewException("--peft " + peft + ": needs --model DIR, the pre-trained model to keep frozen "
          + "(e.g. --model models/mini-t0)");
    }
    if (!Files.isRegularFile(model.resolve("config.json"))) {
      throw new TfewException("--model " + model + ": no config.json there; pass a model directory such as "
          + "models/mini-t0 (made by tfew pretrain)");
    }
    PeftMethodProvider provider = registry.method(peft, "--peft");
    ConfigSection config = ConfigSection.defaults("peft[0]", provider.configFields());
    return new Pretraining.Adapter(model, provider.name(), config, provider.create(config));
  }

  private static void writeCurve(Path file, List<Map<String, Object>> rows) {
    try (JsonlWriter w = JsonlWriter.open(file)) {
      rows.forEach(w::write);
      w.commit();
    }
  }

  private void writeRecord(Pretraining.Options options, Pretraining.Adapter adapter, String command, long step, double loss, double seconds,
      Path modelFile) {
    Map<String, Object> record = new LinkedHashMap<>();
    record.put("command", command);
    record.put("seed", options.seed());
    record.put("threads", Runtime.getRuntime().availableProcessors());
    record.put("options", options);
    if (adapter != null) {
      record.put("peft", adapter.name());
      record.put("peft_config", adapter.config().asMap());
      record.put("optimizer", "adafactor");
      record.put("base_model", model.toString());
      record.put("base_model_sha256", FileDigests.sha256(model.resolve("model.safetensors")));
    }
    record.put("step", step);
    record.put("loss", loss);
    record.put("seconds", Math.round(seconds * 10) / 10.0);
    record.put("resumed", resume);
    record.put(adapter == null ? "model_sha256" : "adapter_sha256", FileDigests.sha256(modelFile));
    Path file = out.resolve("pretrain.json");
    try {
      AtomicText.write(file, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
          .writeValueAsString(record) + "\n");
    } catch (IOException e) {
      throw new TfewException(file + ": cannot write (" + e.getMessage() + ")");
    }
  }
}
