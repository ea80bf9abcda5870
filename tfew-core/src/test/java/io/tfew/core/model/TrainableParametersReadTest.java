package io.tfew.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tfew.api.TfewException;
import io.tfew.api.model.ParameterInit;
import io.tfew.core.testing.SharedFixtures;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;

class TrainableParametersReadTest {
  @Test
  void readingSeveralKeysInOneRunGivesWhatEachReadGives() {
    T5Config config = T5Config.read(SharedFixtures.path("fixtures/t5-parity/t0-tiny").resolve("config.json"));
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      TrainableParameters p = new TrainableParameters(tf, T5Weights.declare(tf, config), 5L);
      p.declaringFor("m");
      p.trainable("a", Shape.of(3, 4), ParameterInit.normal(1));
      p.trainable("b", Shape.of(7), ParameterInit.normal(1));
      p.frozen("c", Shape.of(2, 2), ParameterInit.normal(1));
      try (Session s = new Session(g)) {
        p.initialize(s);
        p.assign(s, "b", new float[] {1, 2, 3, 4, 5, 6, 7});
        Map<String, float[]> all = p.read(s, List.of("c", "a", "b"));
        assertThat(all.keySet()).containsExactly("c", "a", "b");
        for (String key : List.of("a", "b", "c")) {
          assertThat(all.get(key)).containsExactly(p.read(s, key));
        }
        assertThat(all.get("b")).containsExactly(1, 2, 3, 4, 5, 6, 7);
        assertThat(p.read(s, List.of())).isEmpty();
        assertThatThrownBy(() -> p.read(s, List.of("a", "nope")))
            .isInstanceOf(TfewException.class).hasMessageContaining("'nope'");
      }
    }
  }

  @Test
  void assigningSeveralKeysChecksThemAllBeforeAssigningAny() {
    T5Config config = T5Config.read(SharedFixtures.path("fixtures/t5-parity/t0-tiny").resolve("config.json"));
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      TrainableParameters p = new TrainableParameters(tf, T5Weights.declare(tf, config), 5L);
      p.declaringFor("m");
      p.trainable("a", Shape.of(2), ParameterInit.zeros());
      p.trainable("b", Shape.of(3), ParameterInit.zeros());
      try (Session s = new Session(g)) {
        p.initialize(s);
        Map<String, float[]> bad = new LinkedHashMap<>();
        bad.put("a", new float[] {1, 2});
        bad.put("b", new float[] {1, 2});
        assertThatThrownBy(() -> p.assign(s, bad)).isInstanceOf(TfewException.class).hasMessageContaining("'b'");
        assertThat(p.read(s, "a")).containsExactly(0, 0);
        bad.put("b", new float[] {3, 4, 5});
        p.assign(s, bad);
        assertThat(p.read(s, List.of("a", "b")).values()).containsExactly(new float[] {1, 2}, new float[] {3, 4, 5});
      }
    }
  }

  @Test
  void batchesStayUnderTheLimitUnlessOneTensorIsLarger() {
    T5Config config = T5Config.read(SharedFixtures.path("fixtures/t5-parity/t0-tiny").resolve("config.json"));
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      TrainableParameters p = new TrainableParameters(tf, T5Weights.declare(tf, config), 5L);
      p.trainable("a", Shape.of(4), ParameterInit.zeros());
      p.trainable("b", Shape.of(4), ParameterInit.zeros());
      p.trainable("big", Shape.of(20), ParameterInit.zeros());
      p.trainable("c", Shape.of(2), ParameterInit.zeros());
      List<List<String>> keys = TrainableParameters.batches(List.copyOf(p.declared().values()), 10).stream()
          .map(b -> b.stream().map(TrainableParameters.Declared::key).toList()).toList();
      assertThat(keys).containsExactly(List.of("a", "b"), List.of("big"), List.of("c"));
    }
  }
}
