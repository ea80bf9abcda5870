package io.tfew.core.runtime;

import io.tfew.core.model.T5Config;
import io.tfew.core.runtime.ActiveMethod;
import io.tfew.core.runtime.ModelGraph;
import io.tfew.core.score.RankScoringGraph;
import java.util.List;

/**
 * The trainable parameters (and frozen tensors) of PEFT methods on an architecture, counted from what they declare when the
 * scoring graph is built. No session is opened and no weight is read, so this works from a
 * {@code config.json} alone, even for an 11B model.
 *
 * <pre>{@code
 * long ia3 = TrainableCount.of(T5Config.read(Path.of("fixtures/configs/t0-3b/config.json")), List.of(
 *     new ActiveMethod("ia3", provider, ConfigSection.defaults("peft.ia3", provider.configFields()),
 *         Optional.empty())));   // 540,672 on T0-3B
 * }</pre>
 */
public final class TrainableCount {
  private TrainableCount() {}

  /**
   * What the methods declare: values they train, and values of the frozen tensors they own
   * ({@code Parameters.frozen}, saved in the adapter but never trained).
   */
  public record Counts(long trainable, long frozen) {
    /** {@code ""}, or {@code ", N frozen"} to append where a trainable count is printed. */
    public String frozenSuffix() {
      return frozen == 0 ? "" : String.format(java.util.Locale.ROOT, ", %,d frozen", frozen);
    }
  }

  public static long of(T5Config config, List<ActiveMethod> methods) {
    return counts(config, methods).trainable();
  }

  public static Counts counts(T5Config config, List<ActiveMethod> methods) {
    try (ModelGraph graph = new ModelGraph(config, ActiveMethod.create(methods).rewrites(), false, 1, 0L)) {
      RankScoringGraph.build(graph.ops(), graph.model());
      return new Counts(graph.parameters().count(), graph.parameters().frozenCount());
    }
  }
}
