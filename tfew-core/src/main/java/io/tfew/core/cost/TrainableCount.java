package io.tfew.core.cost;

import io.tfew.core.model.SiteRewrites;
import io.tfew.core.model.T5Config;
import io.tfew.core.runtime.ActiveMethod;
import io.tfew.core.runtime.ModelGraph;
import io.tfew.core.score.RankScoringGraph;
import java.util.ArrayList;
import java.util.List;

/**
 * The trainable parameters of PEFT methods on an architecture, counted from what they declare when the
 * scoring graph is built. No session is opened and no weight is read, so this works from a
 * {@code config.json} alone, even for an 11B model.
 */
public final class TrainableCount {
  private TrainableCount() {}

  public static long of(T5Config config, List<ActiveMethod> methods) {
    List<SiteRewrites.Active> rewriters = new ArrayList<>();
    for (ActiveMethod m : methods) {
      rewriters.add(new SiteRewrites.Active(m.name(), m.provider().create(m.config())));
    }
    try (ModelGraph graph = new ModelGraph(config, new SiteRewrites(rewriters), false, 1, 0L)) {
      RankScoringGraph.build(graph.ops(), graph.model());
      return graph.parameters().count();
    }
  }
}
