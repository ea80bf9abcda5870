package io.tfew.peft.lora;

import static org.assertj.core.api.Assertions.assertThat;

import io.tfew.core.lm.TeacherForcedGraph;
import io.tfew.core.model.SiteRewrites;
import io.tfew.core.model.T5Config;
import io.tfew.core.runtime.ModelGraph;
import io.tfew.core.testing.SharedFixtures;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;

/**
 * LoRA's dropout comes from the site context, which keys its masks on core's per-step dropout seed, so
 * resumed runs draw the masks an uninterrupted run draws; evaluation graphs get none.
 */
class LoraDropoutTest {
  private static final T5Config CONFIG =
      T5Config.read(SharedFixtures.path("fixtures/t5-parity/t0-tiny/config.json"));

  private static Map<String, Integer> opTypes(double dropout, boolean training) {
    LoraMethod method = LoraTestKit.create(Map.of("dropout", dropout));
    try (ModelGraph graph = new ModelGraph(CONFIG, new SiteRewrites(List.of(new SiteRewrites.Active("lora", method))),
        training, 1, 0L)) {
      TeacherForcedGraph.build(graph.ops(), graph.model());
      Map<String, Integer> counts = new java.util.HashMap<>();
      Iterator<GraphOperation> ops = ((Graph) graph.ops().scope().env()).operations();
      while (ops.hasNext()) {
        counts.merge(ops.next().type(), 1, Integer::sum);
      }
      return counts;
    }
  }

  @Test
  void trainingGraphsDrawOneStatelessMaskPerSiteAndEvaluationGraphsNone() {
    int sites = 2 * 2 + 3 * 4; // q and v: 2 encoder blocks x 2, 3 decoder blocks x 4
    int withDropout = opTypes(0.1, true).getOrDefault("StatelessRandomUniformFullInt", 0);
    int without = opTypes(0.0, true).getOrDefault("StatelessRandomUniformFullInt", 0);
    assertThat(withDropout - without).isEqualTo(sites);
    assertThat(opTypes(0.1, true)).doesNotContainKey("RandomUniform");
    assertThat(opTypes(0.1, false)).doesNotContainKey("StatelessRandomUniformFullInt")
        .doesNotContainKey("StatelessRandomUniform").doesNotContainKey("RandomUniform");
  }
}
