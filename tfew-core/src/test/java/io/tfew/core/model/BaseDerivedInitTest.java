package io.tfew.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tfew.api.model.EmbeddedInput;
import io.tfew.api.model.EmbeddingSite;
import io.tfew.api.model.ModelRewriter;
import io.tfew.api.model.ParameterInit;
import io.tfew.api.model.Stack;
import io.tfew.core.checkpoint.Checkpoint;
import io.tfew.core.runtime.ModelGraph;
import io.tfew.core.score.RankScoringGraph;
import io.tfew.core.testing.ParityModel;
import io.tfew.core.testing.SharedFixtures;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;

/** {@link ParameterInit#fromBase} inits run after the checkpoint load and see its values. */
class BaseDerivedInitTest {
  private static final int TOKEN = 7;

  /** Declares {@code row} as a copy of token 7's embedding; touches the encoder site without changing it. */
  private static ModelRewriter copyRow() {
    return new ModelRewriter() {
      @Override
      public EmbeddedInput inputEmbeddings(EmbeddingSite site, EmbeddedInput in) {
        if (site.stack() == Stack.ENCODER) {
          int d = site.context().dims().dModel();
          site.context().parameters().trainable("row", Shape.of(d), ParameterInit.fromBase((v, shape, r, base) ->
              System.arraycopy(base.read("shared.weight"), TOKEN * d, v, 0, d)));
        }
        return in;
      }
    };
  }

  @Test
  void fromBaseInitCopiesCheckpointValuesAfterTheLoad() {
    try (ParityModel h = new ParityModel("t0-tiny", copyRow())) {
      int d = h.graph.config().dModel();
      float[] row = h.graph.parameters().read(h.session, "row");
      try (Checkpoint c = Checkpoint.open(h.dir)) {
        float[] shared = c.readFloats("shared.weight");
        assertThat(row).containsExactly(Arrays.copyOfRange(shared, TOKEN * d, (TOKEN + 1) * d));
      }
      // A copy, not a view: zeroing the embeddings leaves it alone.
      h.graph.weights().assign(h.session, "shared.weight", new float[h.graph.config().vocabSize() * d]);
      assertThat(h.graph.parameters().read(h.session, "row")).containsExactly(row);
    }
  }

  @Test
  void plainFillRefusesAndInitializeSkipsIt() {
    ParameterInit.BaseDerived init = ParameterInit.fromBase((v, shape, r, base) -> { });
    assertThatThrownBy(() -> init.fill(new float[1], new long[] {1}, new SplittableRandom(0)))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("after the checkpoint");
    Path dir = SharedFixtures.path("fixtures/t5-parity/t0-tiny");
    try (ModelGraph graph = new ModelGraph(T5Config.read(dir.resolve("config.json")),
        new SiteRewrites(List.of(new SiteRewrites.Active("copy", copyRow()))), false, 1, 0L)) {
      RankScoringGraph.build(graph.ops(), graph.model());
      try (Session session = graph.startSession()) {
        // Not assigned until initializeFromBase: reading it fails rather than returning zeros.
        assertThatThrownBy(() -> graph.parameters().read(session, "row")).isNotNull();
        try (Checkpoint c = Checkpoint.open(dir)) {
          graph.weights().load(session, c, n -> { });
        }
        graph.parameters().initializeFromBase(session);
        assertThat(Arrays.equals(graph.parameters().read(session, "row"), new float[graph.config().dModel()]))
            .isFalse();
      }
    }
  }
}
