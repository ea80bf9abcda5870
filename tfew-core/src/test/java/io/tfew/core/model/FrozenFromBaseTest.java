package io.tfew.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tfew.api.TfewException;
import io.tfew.api.model.LinearSite;
import io.tfew.api.model.ModelRewriter;
import io.tfew.api.model.Parameters;
import io.tfew.core.checkpoint.Checkpoint;
import io.tfew.core.runtime.ModelGraph;
import io.tfew.core.score.RankScoringGraph;
import io.tfew.core.testing.ParityModel;
import io.tfew.core.testing.SharedFixtures;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TUint8;

/**
 * {@link Parameters#frozenFromBase} and {@link Parameters#replaceBaseWeight}: derived tensors are computed
 * at load, a replaced weight is never loaded, and a replaced weight that is still read is refused.
 */
class FrozenFromBaseTest {
  private static final String SITE = "encoder.block.0.layer.0.SelfAttention.q";
  private static final String KEY = SITE + ".weight";

  /** Keeps {@code 2 W} and a sign byte per value; reads {@code 0.5 * (2 W)}, which is W exactly. */
  private static ModelRewriter doubled(boolean stillReadBase) {
    return new ModelRewriter() {
      @Override
      public Operand<TFloat32> linearWeight(LinearSite site, Operand<TFloat32> weight) {
        if (!site.path().equals(SITE)) {
          return weight;
        }
        Parameters p = site.context().parameters();
        Shape shape = Shape.of(site.outFeatures(), site.inFeatures());
        Operand<TFloat32> twice = p.frozenFromBase(SITE + ".twice", KEY, shape, TFloat32.class, (base, s) -> {
          float[] out = new float[base.length];
          for (int i = 0; i < base.length; i++) {
            out[i] = 2 * base[i];
          }
          return FloatBuffer.wrap(out);
        });
        p.frozenFromBase(SITE + ".sign", KEY, shape, TUint8.class, (base, s) -> {
          byte[] out = new byte[base.length];
          for (int i = 0; i < base.length; i++) {
            out[i] = (byte) (base[i] > 0 ? 1 : 0);
          }
          return ByteBuffer.wrap(out);
        });
        p.replaceBaseWeight(KEY);
        Operand<TFloat32> w = site.context().tf().math.mul(twice, site.context().tf().constant(0.5f));
        return stillReadBase ? site.context().tf().math.add(w, site.context().tf().math.mul(weight,
            site.context().tf().constant(0f))) : w;
      }
    };
  }

  @Test
  void derivedTensorsReplaceTheWeightWhichIsNeverLoaded() {
    float[] base;
    try (ParityModel plain = new ParityModel("t0-tiny")) {
      base = plain.teacherForced()[0];
    }
    try (ParityModel h = new ParityModel("t0-tiny", doubled(false))) {
      assertThat(h.teacherForced()[0]).containsExactly(base);
      assertThat(h.graph.weights().replaced()).containsExactly(KEY);
      // The float32 variable was never assigned.
      assertThatThrownBy(() -> h.session.runner().fetch(h.graph.weights().get(KEY)).run().close()).isNotNull();
      float[] w;
      try (Checkpoint c = Checkpoint.open(h.dir)) {
        w = c.readFloats(KEY);
      }
      try (Result r = h.session.runner().fetch("frozen/" + SITE + ".sign").run()) {
        TUint8 sign = (TUint8) r.get(0);
        byte[] bytes = new byte[w.length];
        sign.asRawTensor().data().read(bytes);
        for (int i = 0; i < w.length; i++) {
          assertThat(bytes[i]).isEqualTo((byte) (w[i] > 0 ? 1 : 0));
        }
      }
      // Training the replaced weight is refused.
      assertThatThrownBy(() -> h.graph.parameters().trainableBase(KEY)).isInstanceOf(TfewException.class)
          .hasMessageContaining("replaced");
    }
  }

  @Test
  void aReplacedWeightThatIsStillReadIsRefusedBeforeTheSessionOpens() {
    Path dir = SharedFixtures.path("fixtures/t5-parity/t0-tiny");
    try (ModelGraph graph = new ModelGraph(T5Config.read(dir.resolve("config.json")),
        new SiteRewrites(List.of(new SiteRewrites.Active("doubled", doubled(true)))), false, 1, 0L)) {
      RankScoringGraph.build(graph.ops(), graph.model());
      assertThatThrownBy(graph::startSession).isInstanceOf(TfewException.class)
          .hasMessageContaining("'" + KEY + "'").hasMessageContaining("still reads");
    }
  }

  @Test
  void aDerivationOfTheWrongKindOrSizeIsRefusedAtLoad() {
    Path dir = SharedFixtures.path("fixtures/t5-parity/t0-tiny");
    ModelRewriter wrong = new ModelRewriter() {
      @Override
      public Operand<TFloat32> linearWeight(LinearSite site, Operand<TFloat32> weight) {
        if (site.path().equals(SITE)) {
          site.context().parameters().frozenFromBase(SITE + ".bad", KEY, Shape.of(3), TUint8.class,
              (base, s) -> FloatBuffer.wrap(new float[3]));
        }
        return weight;
      }
    };
    try (ModelGraph graph = new ModelGraph(T5Config.read(dir.resolve("config.json")),
        new SiteRewrites(List.of(new SiteRewrites.Active("wrong", wrong))), false, 1, 0L)) {
      RankScoringGraph.build(graph.ops(), graph.model());
      try (Session session = graph.startSession(); Checkpoint c = Checkpoint.open(dir)) {
        assertThatThrownBy(() -> graph.weights().load(session, c, n -> { })).isInstanceOf(TfewException.class)
            .hasMessageContaining(SITE + ".bad").hasMessageContaining("ByteBuffer");
      }
    }
  }
}
