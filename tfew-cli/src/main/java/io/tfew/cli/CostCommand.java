package io.tfew.cli;

import com.google.inject.Inject;
import io.tfew.api.TfewException;
import io.tfew.api.config.ConfigSection;
import io.tfew.api.peft.PeftMethodProvider;
import io.tfew.core.model.T5Config;
import io.tfew.core.plugin.PluginRegistry;
import io.tfew.core.runtime.ActiveMethod;
import io.tfew.core.runtime.TrainableCount;
import io.tfew.experiments.config.ExperimentConfig;
import io.tfew.experiments.cost.CostAssumptions;
import io.tfew.experiments.cost.CostEstimate;
import io.tfew.experiments.cost.CostModel;
import io.tfew.experiments.cost.DatasetTokens;
import io.tfew.experiments.cost.HeldOutTokens;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tfew cost}: FLOPs and storage of adapting a model, next to in-context learning (Table 1 of T-Few). */
@Command(name = "cost", mixinStandardHelpOptions = true,
    description = "Estimate inference and training FLOPs and adapter storage of a PEFT method on a model, and the "
        + "in-context-learning equivalent, with T-Few's accounting (Liu et al. 2022, Table 1). No weights are read.")
public final class CostCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "CONFIG",
      description = "A model's config.json (or its directory), or a recipe YAML (its model, methods, steps and batch).")
  Path config;

  @Option(names = "--model-config", paramLabel = "config.json",
      description = "With a recipe whose model is a repo id: the model's config.json to count from.")
  Path modelConfig;

  @Option(names = "--method", paramLabel = "NAME",
      description = "PEFT method with its default options, for a config.json (default: ia3). Recipes name their own.")
  String method;

  @Option(names = "--tokens", paramLabel = "N",
      description = "Input plus target tokens per example (default: the held-out datasets' measured mean).")
  Integer tokens;

  @Option(names = "--steps", paramLabel = "N", description = "Training steps (default: 1000, or the recipe's).")
  Integer steps;

  @Option(names = "--batch-size", paramLabel = "N",
      description = "Examples per step (default: 8, or the recipe's batch_size x grad_accum).")
  Integer batchSize;

  @Option(names = "--shots", paramLabel = "K",
      description = "Demonstrations per in-context prompt (default: each held-out dataset's, as T-Few's ICL baseline).")
  Integer shots;

  @Option(names = "--measure",
      description = "Measure the token counts from the held-out datasets' data and templates with the T5 tokenizer "
          + "instead of using the committed measurement, and print them per dataset.")
  boolean measure;

  @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "data",
      description = "With --measure: the directory of the held-out data and promptsource templates "
          + "(default: ${DEFAULT-VALUE}).")
  Path dataDir;

  @Option(names = "--tokenizer", paramLabel = "tokenizer.json", defaultValue = "tokenizers/t5/tokenizer.json",
      description = "With --measure: the T5 tokenizer (default: ${DEFAULT-VALUE}).")
  Path tokenizer;

  @Option(names = "--max-seq-len", paramLabel = "N", defaultValue = "256",
      description = "With --measure: truncate inputs and choices to this many tokens, as T-Few's max_seq_len "
          + "(default: ${DEFAULT-VALUE}).")
  int maxSeqLen;

  @Option(names = "--write", paramLabel = "FILE", description = "With --measure: also write the counts as JSON "
      + "(tfew's committed counts are experiments/src/main/resources/io/tfew/experiments/cost/held-out-tokens.json).")
  Path write;

  @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Recipe override, as for tfew train.")
  List<String> overrides = new ArrayList<>();

  @Spec
  CommandSpec spec;

  private final PluginRegistry registry;

  @Inject
  CostCommand(PluginRegistry registry) {
    this.registry = registry;
  }

  @Override
  public Integer call() {
    if (!measure && write != null) {
      throw new TfewException("--write writes a measurement; add --measure");
    }
    HeldOutTokens counts = measure ? HeldOutTokens.measure(dataDir, tokenizer, maxSeqLen) : HeldOutTokens.committed();
    if (measure) {
      printCounts(counts);
      if (write != null) {
        counts.write(write);
      }
    }
    String name = config.getFileName() == null ? "" : config.getFileName().toString();
    boolean recipe = name.endsWith(".yaml") || name.endsWith(".yml");
    if (!recipe && !overrides.isEmpty()) {
      throw new TfewException("--set applies to recipe YAML files; " + config + " is a model config");
    }
    T5Config model;
    List<ActiveMethod> methods = new ArrayList<>();
    int defaultSteps = CostAssumptions.TFEW_STEPS;
    int defaultBatch = CostAssumptions.TFEW_BATCH;
    if (recipe) {
      if (method != null) {
        throw new TfewException("--method: " + config + " names its own methods under peft; change them there or "
            + "with --set peft[0].method=NAME");
      }
      ExperimentConfig experiment = ExperimentConfig.load(config, overrides, registry);
      model = T5Config.read(modelConfig != null ? modelConfig : recipeModelConfig(experiment.model()));
      for (ExperimentConfig.PeftEntry p : experiment.peft()) {
        methods.add(new ActiveMethod(p.method(), registry.method(p.method(), config + ": peft"), p.config(),
            Optional.empty()));
      }
      defaultSteps = experiment.train().steps();
      defaultBatch = experiment.train().batchSize() * experiment.train().gradAccum();
    } else {
      if (modelConfig != null) {
        throw new TfewException("--model-config is for recipes; pass the config.json itself as CONFIG");
      }
      model = T5Config.read(Files.isDirectory(config) ? config.resolve("config.json") : config);
      String m = method == null ? "ia3" : method;
      PeftMethodProvider provider = registry.method(m, "--method");
      methods.add(new ActiveMethod(m, provider, ConfigSection.defaults(m, provider.configFields()), Optional.empty()));
    }
    int s = steps != null ? steps : defaultSteps;
    int b = batchSize != null ? batchSize : defaultBatch;
    CostAssumptions measured = CostAssumptions.measured(counts, s, b);
    // --tokens or --shots: every example and demonstration that long, as the paper's rules state them.
    double l = tokens != null ? tokens : measured.tokensPerExample();
    double k = shots != null ? shots : measured.shots();
    CostAssumptions a = tokens == null && shots == null ? measured : new CostAssumptions(l, s, b, k, (k + 1) * l);
    long trainable = TrainableCount.of(model, methods);
    CostEstimate e = CostModel.estimate(model.parameterCount(), trainable, a);
    report(model, methods, a, e);
    return 0;
  }

  private void printCounts(HeldOutTokens counts) {
    PrintWriter out = spec.commandLine().getOut();
    out.printf(Locale.ROOT, "measured with %s (max %d tokens), T-Few's templates per dataset:%n", counts.tokenizer(),
        counts.maxSeqLen());
    out.printf(Locale.ROOT, "%-11s %6s %7s %7s %7s %7s %6s %8s%n", "dataset", "rows", "pairs", "input", "choice",
        "target", "shots", "icl");
    for (DatasetTokens d : counts.datasets()) {
      out.printf(Locale.ROOT, "%-11s %6d %7d %7.1f %7.2f %7.2f %6d %8.0f%n", d.name(), d.rows(), d.pairs(),
          d.inputTokens(), d.choiceTokens(), d.targetTokens(), d.shots(), d.iclTokensPerExample());
    }
    out.printf(Locale.ROOT, "mean: %.1f tokens per example (input + target), %.1f shots, %.0f tokens per ICL prompt%n",
        counts.tokensPerExample(), counts.shots(), counts.iclTokensPerExample());
  }

  private Path recipeModelConfig(String model) {
    Path p = Path.of(model);
    if (Files.isDirectory(p)) {
      return p.resolve("config.json");
    }
    if (Files.isRegularFile(p)) {
      return p;
    }
    throw new TfewException(config + ": model '" + model + "' is not a local directory; pass its config.json with "
        + "--model-config (tfew cost reads no weights and downloads nothing)");
  }

  private void report(T5Config model, List<ActiveMethod> methods, CostAssumptions a, CostEstimate e) {
    PrintWriter out = spec.commandLine().getOut();
    out.printf(Locale.ROOT, "model %s: %,d parameters (encoder-decoder: ~N FLOPs per token forward, 3N training)%n",
        model.source(), e.baseParameters());
    out.printf(Locale.ROOT, "method %s: %,d trainable parameters%n",
        String.join("+", methods.stream().map(ActiveMethod::name).toList()), e.trainableParameters());
    out.printf(Locale.ROOT, "assumed: %.1f tokens per example, %d steps x %d examples, ICL with %.1f shots "
        + "(%.0f tokens)%n", a.tokensPerExample(), a.steps(), a.examplesPerStep(), a.shots(), a.iclTokensPerExample());
    out.printf(Locale.ROOT, "inference_flops_per_example=%.3g%n", e.inferenceFlopsPerExample());
    out.printf(Locale.ROOT, "training_flops=%.3g%n", e.trainingFlops());
    out.printf(Locale.ROOT, "adapter_bytes=%d (%.2f MB)%n", e.adapterBytes(), e.adapterBytes() / 1e6);
    out.printf(Locale.ROOT, "icl_tokens_per_example=%.0f%n", e.iclTokensPerExample());
    out.printf(Locale.ROOT, "icl_inference_flops_per_example=%.3g%n", e.iclInferenceFlopsPerExample());
    out.printf(Locale.ROOT, "icl_storage_bytes=%d (%.1f kB)%n", e.iclStorageBytes(), e.iclStorageBytes() / 1e3);
    out.flush();
  }
}
