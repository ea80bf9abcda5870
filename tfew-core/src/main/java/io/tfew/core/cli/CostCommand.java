package io.tfew.core.cli;

import com.google.inject.Inject;
import io.tfew.api.TfewException;
import io.tfew.api.config.ConfigSection;
import io.tfew.api.peft.PeftMethodProvider;
import io.tfew.core.config.ExperimentConfig;
import io.tfew.core.cost.CostAssumptions;
import io.tfew.core.cost.CostEstimate;
import io.tfew.core.cost.CostModel;
import io.tfew.core.cost.TrainableCount;
import io.tfew.core.model.T5Config;
import io.tfew.core.plugin.PluginRegistry;
import io.tfew.core.runtime.ActiveMethod;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

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

  @Option(names = "--tokens", paramLabel = "N", description = "Input plus target tokens per example (default: 103).")
  Integer tokens;

  @Option(names = "--steps", paramLabel = "N", description = "Training steps (default: 1000, or the recipe's).")
  Integer steps;

  @Option(names = "--batch-size", paramLabel = "N",
      description = "Examples per step (default: 8, or the recipe's batch_size x grad_accum).")
  Integer batchSize;

  @Option(names = "--shots", paramLabel = "K", description = "Demonstrations per in-context prompt (default: 38).")
  Integer shots;

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
    CostAssumptions paper = CostAssumptions.PAPER;
    String name = config.getFileName() == null ? "" : config.getFileName().toString();
    boolean recipe = name.endsWith(".yaml") || name.endsWith(".yml");
    if (!recipe && !overrides.isEmpty()) {
      throw new TfewException("--set applies to recipe YAML files; " + config + " is a model config");
    }
    T5Config model;
    List<ActiveMethod> methods = new ArrayList<>();
    int defaultSteps = paper.steps();
    int defaultBatch = paper.examplesPerStep();
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
    CostAssumptions a = new CostAssumptions(tokens != null ? tokens : paper.tokensPerExample(),
        steps != null ? steps : defaultSteps, batchSize != null ? batchSize : defaultBatch,
        shots != null ? shots : paper.shots());
    long trainable = TrainableCount.of(model, methods);
    CostEstimate e = CostModel.estimate(model.parameterCount(), trainable, a);
    report(model, methods, a, e);
    return 0;
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
    out.printf(Locale.ROOT, "assumed: %d tokens per example, %d steps x %d examples, ICL with %d shots%n",
        a.tokensPerExample(), a.steps(), a.examplesPerStep(), a.shots());
    out.printf(Locale.ROOT, "inference_flops_per_example=%.3g%n", e.inferenceFlopsPerExample());
    out.printf(Locale.ROOT, "training_flops=%.3g%n", e.trainingFlops());
    out.printf(Locale.ROOT, "adapter_bytes=%d (%.2f MB)%n", e.adapterBytes(), e.adapterBytes() / 1e6);
    out.printf(Locale.ROOT, "icl_tokens_per_example=%d%n", e.iclTokensPerExample());
    out.printf(Locale.ROOT, "icl_inference_flops_per_example=%.3g%n", e.iclInferenceFlopsPerExample());
    out.printf(Locale.ROOT, "icl_storage_bytes=%d (%.1f kB)%n", e.iclStorageBytes(), e.iclStorageBytes() / 1e3);
    out.flush();
  }
}
