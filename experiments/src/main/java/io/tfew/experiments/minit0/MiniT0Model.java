package io.tfew.experiments.minit0;

import io.tfew.api.TfewException;
import io.tfew.core.model.FfnActivation;
import io.tfew.core.model.T5Config;
import java.nio.file.Path;

/** The architectures {@code tfew pretrain} builds, over the mini-T0 vocabulary (one token per word). */
public final class MiniT0Model {
  private MiniT0Model() {}

  /** Token ids: the three T5 specials, then the words. */
  public static int vocabSize() {
    return Vocabulary.words().size() + 3;
  }

  /**
   * {@code mini}: d_model 128, 4 heads x 32, d_ff 384 gated-GELU, 3+3 layers, untied, 32 buckets / max
   * distance 64 (the prototype's shape, docs/mini-t0-notes.md); {@code tiny}: a test-sized 2+2 layers of
   * width 32.
   */
  public static T5Config byName(String shape) {
    return switch (shape) {
      case "mini" -> config(shape, 128, 32, 4, 384, 3);
      case "tiny" -> config(shape, 32, 8, 4, 64, 2);
      default -> throw new TfewException("--shape '" + shape + "': unknown; use mini (the mini-T0 model) or tiny "
          + "(a test-sized model)");
    };
  }

  private static T5Config config(String name, int d, int dKv, int heads, int dFf, int layers) {
    return new T5Config(Path.of("(mini-T0 " + name + ")"), d, dKv, heads, dFf, layers, layers, vocabSize(), 32, 64,
        1e-6, true, FfnActivation.GELU_NEW, false, 0.0, 0, 0, 1);
  }
}
