package io.tfew.core.model;

import io.tfew.api.model.ModelRewriter;
import io.tfew.core.checkpoint.Checkpoint;
import io.tfew.core.generate.GreedyDecoder;
import io.tfew.core.lm.TeacherForcedGraph;
import io.tfew.core.runtime.ModelGraph;
import io.tfew.core.score.RankScoringGraph;
import io.tfew.core.testing.ExpectedTensors;
import io.tfew.core.testing.SharedFixtures;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/** One parity fixture loaded into a graph with the programs the parity tests run. */
final class ParityHarness implements AutoCloseable {
  final Path dir;
  final ExpectedTensors expected;
  final ModelGraph graph;
  final TeacherForcedGraph lm;
  final RankScoringGraph rank;
  final GreedyDecoder greedy;
  final Session session;

  ParityHarness(String fixture, ModelRewriter... rewriters) {
    dir = SharedFixtures.path("fixtures/t5-parity/" + fixture);
    expected = new ExpectedTensors(dir.resolve("expected.safetensors"));
    List<SiteRewrites.Active> active = new ArrayList<>();
    for (int i = 0; i < rewriters.length; i++) {
      active.add(new SiteRewrites.Active("fixture" + i, rewriters[i]));
    }
    graph = new ModelGraph(T5Config.read(dir.resolve("config.json")), new SiteRewrites(active), false, 1, 0L);
    lm = TeacherForcedGraph.build(graph.ops(), graph.model());
    rank = RankScoringGraph.build(graph.ops(), graph.model());
    greedy = GreedyDecoder.build(graph.ops(), graph.model());
    session = graph.startSession();
    try (Checkpoint checkpoint = Checkpoint.open(dir)) {
      graph.weights().load(session, checkpoint, loaded -> { });
    }
  }

  ExpectedTensors expected() {
    return expected;
  }

  TInt32 ints(String name) {
    TInt32 t = TInt32.tensorOf(Shape.of(expected.shape(name)));
    t.asRawTensor().data().asInts().write(expected.ints(name));
    return t;
  }

  TFloat32 floatsOfInts(String name) {
    int[] v = expected.ints(name);
    float[] f = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      f[i] = v[i];
    }
    TFloat32 t = TFloat32.tensorOf(Shape.of(expected.shape(name)));
    t.asRawTensor().data().asFloats().write(f);
    return t;
  }

  TInt32 zeroTasks() {
    TInt32 t = TInt32.tensorOf(Shape.of(expected.shape("input_ids")[0]));
    t.asRawTensor().data().asInts().write(new int[(int) expected.shape("input_ids")[0]]);
    return t;
  }

  /** Runs the teacher-forced program and returns {logits, loss, encoder hidden}. */
  float[][] teacherForced() {
    try (TInt32 ids = ints("input_ids"); TFloat32 mask = floatsOfInts("attention_mask");
        TInt32 labels = ints("labels"); TInt32 tasks = zeroTasks();
        Result r = session.runner().feed(lm.inputIds, ids).feed(lm.inputMask, mask).feed(lm.labels, labels)
            .feed(lm.taskIds, tasks).fetch(lm.logits).fetch(lm.loss).run()) {
      return new float[][] {read(r, 0), read(r, 1)};
    }
  }

  static float[] read(Result r, int i) {
    TFloat32 t = (TFloat32) r.get(i);
    float[] out = new float[(int) t.size()];
    t.asRawTensor().data().asFloats().read(out);
    return out;
  }

  @Override
  public void close() {
    session.close();
    graph.close();
    expected.close();
  }
}
