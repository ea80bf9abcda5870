package io.tfew.peft.ia3;

import static org.assertj.core.api.Assertions.assertThat;

import io.tfew.core.model.SiteRewrites;
import io.tfew.core.model.T5Config;
import io.tfew.core.model.TrainableParameters;
import io.tfew.core.runtime.ModelGraph;
import io.tfew.core.score.RankScoringGraph;
import io.tfew.core.testing.SharedFixtures;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * (IA)^3 on T0-3B's architecture (d_model 2048, 32 heads x d_kv 64 = 2048, d_ff 5120 gated, 24 + 24
 * blocks), started from the released t-few vectors {@code t03b_ia3_finish.pt}. The graph is built once
 * (the slow part) without base weights: only the method's parameters are initialised.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class Ia3T03bTest {
  private final Path released = SharedFixtures.path("fixtures/ia3-pretrained/t03b_ia3_finish.pt");
  private Ia3Method method;
  private ModelGraph graph;

  @BeforeAll
  void build() {
    T5Config config = T5Config.read(SharedFixtures.path("fixtures/configs/t0-3b/config.json"));
    method = (Ia3Method) Ia3TestKit.create(Map.of("init", released.toString()));
    graph = new ModelGraph(config, new SiteRewrites(List.of(new SiteRewrites.Active("ia3", method))), false, 1, 0L);
    RankScoringGraph.build(graph.ops(), graph.model());
  }

  @AfterAll
  void close() {
    if (graph != null) {
      graph.close();
    }
  }

  @Test
  void parameterCountIsT_FewsReported540672() {
    // encoder 24 (2048 + 2048 + 5120) + decoder 24 (4 x 2048 + 5120)
    assertThat(graph.parameters().count()).isEqualTo(540_672L);
    assertThat(graph.parameters().declaredBy("ia3")).hasSize(192);
    graph.rewrites().requireEveryMethodTouchedASite(graph.parameters());
  }

  @Test
  void releasedFileHolds192VectorsOf540672Values() {
    PretrainedIa3 p = PretrainedIa3.read(released);
    assertThat(p.tensorCount()).isEqualTo(192);
    assertThat(p.valueCount()).isEqualTo(540_672L);
    assertThat(p.vectors().values()).allSatisfy(v -> {
      assertThat(v.fileKey()).endsWith(".multi_lora_b");
      assertThat(v.shape()).hasSize(2).endsWith(1);
    });
    // The FFN vectors sit on wi_1 in t-few; they initialise tfew's wo-input vectors.
    assertThat(p.modules()).contains("encoder.block.23.layer.1.DenseReluDense.wi_1");
  }

  @Test
  void everyDeclaredParameterStartsFromItsReleasedVector() {
    PretrainedIa3 p = PretrainedIa3.read(released);
    Map<String, TrainableParameters.Declared> declared = graph.parameters().declaredBy("ia3");
    // What core's initialisation writes into each variable (a session over the 3B graph adds nothing here
    // but minutes): the init each declaration carries.
    long checked = 0;
    for (TrainableParameters.Declared d : declared.values()) {
      String module = method.declaredKeys().get(d.key());
      String source = p.has(module) ? module : module.replaceFirst("\\.wo$", ".wi_1");
      float[] expected = p.vectors().get(source).values();
      float[] actual = new float[(int) d.size()];
      d.init().fill(actual, d.shape(), new SplittableRandom(0));
      assertThat(actual).as(d.key()).containsExactly(expected);
      checked += expected.length;
    }
    assertThat(checked).isEqualTo(540_672L);
  }
}
