package io.tfew.core.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.tfew.api.model.LinearSite;
import io.tfew.api.model.ModelRewriter;
import io.tfew.api.model.ParameterInit;
import io.tfew.core.model.SiteRewrites;
import io.tfew.core.model.T5Config;
import io.tfew.core.optim.Adafactor;
import io.tfew.core.score.RankScoringGraph;
import io.tfew.core.testing.SharedFixtures;
import io.tfew.core.testing.TinyTraining;
import io.tfew.core.train.TrainingGraph;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * {@link PrefixScope} must name every operation exactly as TensorFlow-Java's own scope does: variable
 * names are checkpoint keys, and saved training state is keyed by op names.
 */
class PrefixScopeTest {
  private static final ModelRewriter SCALE_KV = new ModelRewriter() {
    @Override
    public Operand<TFloat32> linearOutput(LinearSite site, Operand<TFloat32> input, Operand<TFloat32> output) {
      if (!site.path().endsWith(".k") && !site.path().endsWith(".v")) {
        return output;
      }
      return site.context().tf().math.mul(output, site.context().parameters()
          .trainable(site.path() + ".scale", Shape.of(site.outFeatures()), ParameterInit.constant(1f)));
    }
  };

  private static List<String> trainingGraphNames(Function<Graph, Ops> opsFor) {
    T5Config config = T5Config.read(SharedFixtures.path("fixtures/t5-parity/t0-tiny").resolve("config.json"));
    try (ModelGraph graph = new ModelGraph(config,
        new SiteRewrites(List.of(new SiteRewrites.Active("scale_kv", SCALE_KV))), true, 1, 5L, null, opsFor)) {
      TrainingGraph.build(graph, List.of(new TrainingGraph.WeightedLoss("nll", TinyTraining.GOLD_NLL, 1.0)),
          new Adafactor(), 2, 1.0);
      RankScoringGraph.build(graph.ops(), graph.evaluationModel());
      return graph.operationNames();
    }
  }

  @Test
  void aTrainingGraphGetsTheSameOperationNamesAsWithTensorFlowsScope() {
    List<String> reference = trainingGraphNames(Ops::create);
    List<String> fast = trainingGraphNames(PrefixScope::ops);
    assertThat(reference).hasSizeGreaterThan(1000);
    assertThat(fast).containsExactlyElementsOf(reference);
  }

  /** A program of scope calls run on both scopes; each returns the names it made. */
  private static List<String> scopeProgram(Ops tf) {
    List<String> names = new ArrayList<>();
    Ops a = tf.withSubScope("a");
    names.add(a.constant(1f).op().name());
    names.add(a.constant(2f).op().name());
    names.add(a.withName("c").constant(3f).op().name());
    names.add(a.withName("c").constant(4f).op().name());
    names.add(a.withSubScope("a").constant(5f).op().name());
    names.add(tf.withSubScope("a").constant(6f).op().name());
    names.add(tf.withName("n").withSubScope("ignored").constant(7f).op().name());
    Ops dotted = tf.withSubScope("x.y-z");
    names.add(dotted.constant(8f).op().name());
    Variable<TFloat32> v = tf.withSubScope("v").variable(tf.constant(new float[] {1f, 2f}));
    names.add(v.op().name());
    Ops after = tf.withControlDependencies(List.of(v));
    names.add(after.withName("after").identity(v).op().name());
    names.add(tf.scope().makeUnique("a"));
    return names;
  }

  @Test
  void namesRepeatedNamesAndInitScopesAsTensorFlowDoes() {
    List<String> reference;
    try (Graph g = new Graph()) {
      reference = scopeProgram(Ops.create(g));
    }
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = PrefixScope.ops(g);
      assertThat(scopeProgram(tf)).containsExactlyElementsOf(reference);
      // The variable's initialiser was registered, so a session can initialise and read it.
      s.initialize();
    }
  }

  @Test
  void aRootOverANonEmptyGraphAvoidsTheNamesAlreadyThere() {
    try (Graph g = new Graph()) {
      Ops plain = Ops.create(g);
      plain.withSubScope("encoder").constant(1f);
      plain.withName("Const").constant(1f);
      Ops tf = PrefixScope.ops(g);
      assertThat(tf.constant(2f).op().name()).isEqualTo("Const_1");
      assertThat(tf.withSubScope("encoder").constant(2f).op().name()).isEqualTo("encoder_1/Const");
    }
  }
}
