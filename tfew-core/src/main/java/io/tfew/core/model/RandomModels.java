package io.tfew.core.model;

import io.tfew.core.model.FfnActivation;
import io.tfew.core.model.T5Config;
import java.nio.file.Path;

/**
 * Architectures of well-known checkpoints, for benchmarks on random weights.
 *
 * <pre>{@code
 * T5Config t0 = RandomModels.byName("t0-3b");   // d_model 2048, 24+24 layers, gated-GELU FFN of 5120
 * }</pre>
 */
public final class RandomModels {
  private RandomModels() {}

  /** t5-small: d_model 512, 8 heads x 64, d_ff 2048 ReLU, 6+6 layers, vocab 32128, tied. */
  public static T5Config t5Small() {
    return shape(512, 8, 64, 2048, 6, false, FfnActivation.RELU, true);
  }

  /** t5-base: d_model 768, 12 heads x 64, d_ff 3072 ReLU, 12+12 layers, vocab 32128, tied (222.9M parameters). */
  public static T5Config t5Base() {
    return shape(768, 12, 64, 3072, 12, false, FfnActivation.RELU, true);
  }

  /** The recipe issue's training benchmark model: gated-GELU d_ff 1024, 8+8 layers, untied. */
  public static T5Config t5SmallGated() {
    return shape(512, 8, 64, 1024, 8, true, FfnActivation.GELU_NEW, false);
  }

  /** A few-thousand-parameter model for tests: gated-GELU, untied, 2+2 layers of width 32. */
  public static T5Config tiny(int vocabSize) {
    return new T5Config(Path.of("(random tiny)"), 32, 8, 4, 64, 2, 2, vocabSize, 8, 20, 1e-6, true,
        FfnActivation.GELU_NEW, false, 0.1, 0, 0, 1);
  }

  /**
   * T0-3B (bigscience/T0_3B's config.json): d_model 2048, 32 heads x 64, d_ff 5120 gated-GELU, 24+24 layers,
   * vocab 32128, untied (2.85B parameters, 11.4 GB in float32).
   */
  public static T5Config t03b() {
    return shape(2048, 32, 64, 5120, 24, true, FfnActivation.GELU_NEW, false);
  }

  public static T5Config byName(String name) {
    return switch (name) {
      case "t5-small" -> t5Small();
      case "t5-base" -> t5Base();
      case "t5-small-gated" -> t5SmallGated();
      case "t0-3b" -> t03b();
      default -> throw new io.tfew.api.TfewException("unknown model shape '" + name
          + "'; use t5-small, t5-base, t5-small-gated or t0-3b");
    };
  }

  private static T5Config shape(int d, int heads, int dkv, int dff, int layers, boolean gated, FfnActivation act,
      boolean tied) {
    return new T5Config(Path.of("(random " + d + "x" + layers + ")"), d, dkv, heads, dff, layers, layers, 32128,
        32, 128, 1e-6, gated, act, tied, 0.1, 0, 0, 1);
  }
}
