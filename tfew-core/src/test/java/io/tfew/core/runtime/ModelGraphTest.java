package io.tfew.core.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tfew.core.checkpoint.Checkpoint;
import io.tfew.core.model.SiteRewrites;
import io.tfew.core.model.T5Config;
import io.tfew.core.score.RankScoringGraph;
import io.tfew.core.testing.SharedFixtures;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.types.TFloat32;

/**
 * {@link ModelGraph}'s two ways to a session: opened by {@code startSession} once the programs are built, or
 * opened with the graph, right after the weights are declared, so that the loading run is built on a graph of
 * the weights alone.
 */
class ModelGraphTest {
  private static final Path DIR = SharedFixtures.path("fixtures/t5-parity/t0-tiny");

  @Test
  void aSessionOpenedWithTheGraphLoadsTheSameValuesAsOneOpenedAfterThePrograms() {
    Map<String, float[]> late = loadedWeights(null);
    Map<String, float[]> early = loadedWeights(SessionOptions.DEFAULT);
    assertThat(early.keySet()).containsExactlyElementsOf(late.keySet()).hasSizeGreaterThan(10);
    for (String key : late.keySet()) {
      assertThat(early.get(key)).as(key).containsExactly(late.get(key));
    }
  }

  @Test
  void aGraphBuiltWithOptionsHandsOutItsSessionOnceAndOnlyForThoseOptions() {
    try (ModelGraph graph = new ModelGraph(config(), SiteRewrites.none(), false, 1, 0L, SessionOptions.DEFAULT)) {
      RankScoringGraph.build(graph.ops(), graph.model());
      assertThat(graph.earlySessionSeconds()).isPositive();
      assertThatThrownBy(() -> graph.startSession(new SessionOptions(1, false)))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("opened with");
      try (Session session = graph.startSession(SessionOptions.DEFAULT)) {
        assertThat(session).isNotNull();
        assertThatThrownBy(graph::startSession).isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("started already");
      }
    }
  }

  @Test
  void aGraphClosedBeforeItsSessionWasStartedClosesThatSessionToo() {
    // Graph.close waits for every session on the graph to be closed: this would hang if the graph kept its own.
    ModelGraph graph = new ModelGraph(config(), SiteRewrites.none(), true, 1, 0L, SessionOptions.DEFAULT);
    graph.close();
    assertThat(graph.earlySessionSeconds()).isPositive();
  }

  @Test
  void aGraphBuiltWithoutOptionsOpensNoSessionUntilAsked() {
    try (ModelGraph graph = new ModelGraph(config(), SiteRewrites.none(), false, 1, 0L)) {
      assertThat(graph.earlySessionSeconds()).isZero();
      try (Session a = graph.startSession(new SessionOptions(1, false))) {
        assertThat(a).isNotNull();
      }
    }
  }

  private static T5Config config() {
    return T5Config.read(DIR.resolve("config.json"));
  }

  private static Map<String, float[]> loadedWeights(SessionOptions early) {
    Map<String, float[]> values = new LinkedHashMap<>();
    try (ModelGraph graph = early == null ? new ModelGraph(config(), SiteRewrites.none(), true, 1, 0L)
        : new ModelGraph(config(), SiteRewrites.none(), true, 1, 0L, early)) {
      RankScoringGraph.build(graph.ops(), graph.evaluationModel());
      try (Session session = graph.startSession(); Checkpoint checkpoint = Checkpoint.open(DIR)) {
        graph.weights().load(session, checkpoint, n -> { });
        for (String key : graph.weights().shapes().keySet()) {
          try (Result r = session.runner().fetch(graph.weights().get(key)).run()) {
            TFloat32 t = (TFloat32) r.get(0);
            float[] v = new float[Math.toIntExact(t.size())];
            t.asRawTensor().data().asFloats().read(v);
            values.put(key, v);
          }
        }
      }
    }
    return values;
  }
}
