package io.tfew.experiments.run;

import io.tfew.api.TfewException;
import io.tfew.api.peft.PeftMethod;
import io.tfew.api.peft.UpdateRule;
import io.tfew.core.optim.Adafactor;
import io.tfew.core.optim.Optimizer;
import io.tfew.core.optim.Optimizers;
import io.tfew.core.runtime.ModelGraph;
import io.tfew.core.train.TrainingGraph;
import io.tfew.experiments.config.ExperimentConfig;
import io.tfew.experiments.config.Origin;
import io.tfew.experiments.config.ResolvedConfig;
import java.util.List;
import java.util.Map;

/**
 * Chooses how a run updates its parameters: the configured optimizer, or SGD fused into the backward pass
 * when a PEFT method asks for it ({@link UpdateRule#FUSED_SGD}, e.g. {@code lomo}).
 *
 * <pre>{@code
 * TrainingGraph training = TrainingStep.build(config, methods, graph, losses);
 * }</pre>
 */
final class TrainingStep {
  private TrainingStep() {}

  static TrainingGraph build(ExperimentConfig config, Map<String, PeftMethod> methods, ModelGraph graph,
      List<TrainingGraph.WeightedLoss> losses) {
    ExperimentConfig.Train train = config.train();
    String fusedBy = methods.entrySet().stream()
        .filter(e -> e.getValue().updateRule() == UpdateRule.FUSED_SGD)
        .map(Map.Entry::getKey).findFirst().orElse(null);
    if (fusedBy == null) {
      return TrainingGraph.build(graph, losses, optimizer(config), train.gradAccum(), train.maxGradNorm());
    }
    ResolvedConfig resolved = config.resolved();
    boolean optimizerSet = resolved.origin("train.optimizer").kind() != Origin.Kind.DEFAULT;
    if (optimizerSet && !train.optimizer().equals("sgd")) {
      throw new TfewException(resolved.locate("train.optimizer") + " = " + train.optimizer()
          + ": peft method '" + fusedBy + "' applies plain SGD inside the backward pass and keeps no optimizer "
          + "state; remove train.optimizer or set it to sgd (or use method full for " + train.optimizer() + ")");
    }
    if (train.gradAccum() != 1) {
      throw new TfewException(resolved.locate("train.grad_accum") + " = " + train.gradAccum()
          + ": peft method '" + fusedBy + "' applies each gradient as soon as it is computed, so gradients "
          + "cannot be accumulated; set train.grad_accum: 1 (raise train.batch_size instead)");
    }
    return TrainingGraph.buildFused(graph, losses, train.maxGradNorm());
  }

  static Optimizer optimizer(ExperimentConfig config) {
    ExperimentConfig.Train train = config.train();
    ResolvedConfig resolved = config.resolved();
    if (train.optimizer().equals("adafactor")) {
      return new Adafactor(Adafactor.Options.tfew()
          .withScaleParameter(train.scaleParameter())
          .withRelativeStep(train.relativeStep()));
    }
    for (String key : List.of("train.scale_parameter", "train.relative_step")) {
      if (resolved.origin(key).kind() != Origin.Kind.DEFAULT) {
        throw new TfewException(resolved.locate(key) + ": " + key + " is an Adafactor option but train.optimizer is "
            + train.optimizer() + "; remove it or set train.optimizer: adafactor");
      }
    }
    return Optimizers.byName(train.optimizer(), resolved.locate("train.optimizer"));
  }
}
