package io.tfew.peft.baselines;

import io.tfew.api.config.ConfigField;
import io.tfew.api.config.ConfigSection;
import io.tfew.api.peft.PeftMethod;
import io.tfew.api.peft.PeftMethodProvider;
import java.util.List;

/**
 * The {@code lomo} method: LOMO, "LOw-Memory Optimization" (Lv et al. 2023, "Full Parameter Fine-tuning
 * for Large Language Models with Limited Resources"). Every base weight is trained, as with {@code full},
 * by SGD applied to each weight as soon as its gradient exists; with {@code train.max_grad_norm > 0} each
 * step runs the forward and backward pass twice, the first only to measure the gradient norm. It takes no
 * options; the learning rate, schedule and clipping are {@code train}'s.
 *
 * <pre>{@code
 * peft:
 *   - method: lomo
 * train: {lr: 1.0e-2, grad_accum: 1}   # train.optimizer unset (or sgd)
 * }</pre>
 */
public final class LomoProvider implements PeftMethodProvider {
  @Override
  public String name() {
    return "lomo";
  }

  @Override
  public String description() {
    return "LOMO: full fine-tuning with SGD fused into the backward pass (no optimizer state, no full gradient set)";
  }

  @Override
  public List<ConfigField> configFields() {
    return List.of();
  }

  @Override
  public PeftMethod create(ConfigSection config) {
    return new LomoMethod();
  }
}
