package io.tfew.core.testing;

import io.tfew.api.model.ModelRewriter;
import io.tfew.core.checkpoint.Checkpoint;
import io.tfew.core.model.SiteRewrites;
import io.tfew.core.model.T5Config;
import io.tfew.core.generate.GreedyDecoder;
import io.tfew.core.lm.TeacherForcedGraph;
import io.tfew.core.runtime.ModelGraph;
import io.tfew.core.score.RankScoringGraph;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * One parity fixture of fixtures/t5-parity loaded into a graph with the programs parity
 * tests run (teacher forcing, rank scoring, greedy decoding), optionally with rewriters applied.
 * Plugin modules use it from tfew-core's test jar to test themselves against the reference.
 */
public final class ParityModel implements AutoCloseable {
  public final Path dir;
  public final ExpectedTensors expected;
  public final ModelGraph graph;
  public final TeacherForcedGraph lm;
  public final RankScoringGraph rank;
  public final GreedyDecoder greedy;
  public final Session session;

  /** Loads {@code fixture} ({@code t0-tiny} or {@code t5-tiny}) with rewriters named fixture0, fixture1, ... */
  public ParityModel(String fixture, ModelRewriter... rewriters) {
    dir = SharedFixtures.path("fixtures/t5-parity/" + fixture);
    expected = new ExpectedTensors(dir.resolve("expected.safetensors"));
    List<SiteRewrites.Active> active = new ArrayList<>();
    for (int i = 0; i < rewriters.length; i++) {
      active.add(new SiteRewrites.Active("fixture" + i, rewriters[i]));
    }
    graph = new ModelGraph(T5Config.read(dir.resolve("config.json")), new SiteRewrites(active), false, 1, 0L,
        io.tfew.core.runtime.SessionOptions.DEFAULT);
    lm = TeacherForcedGraph.build(graph.ops(), graph.model());
    rank = RankScoringGraph.build(graph.ops(), graph.model());
    greedy = GreedyDecoder.build(graph.ops(), graph.model());
    session = graph.startSession();
    try (Checkpoint checkpoint = Checkpoint.open(dir)) {
      graph.weights().load(session, checkpoint, loaded -> { });
    }
    // Inits that copy checkpoint values (soft prompts from word embeddings) run once those are loaded.
    graph.parameters().initializeFromBase(session);
  }

  public ExpectedTensors expected() {
    return expected;
  }

  public TInt32 ints(String name) {
    TInt32 t = TInt32.tensorOf(Shape.of(expected.shape(name)));
    t.asRawTensor().data().asInts().write(expected.ints(name));
    return t;
  }

  public TFloat32 floatsOfInts(String name) {
    int[] v = expected.ints(name);
    float[] f = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      f[i] = v[i];
    }
    TFloat32 t = TFloat32.tensorOf(Shape.of(expected.shape(name)));
    t.asRawTensor().data().asFloats().write(f);
    return t;
  }

  public TInt32 zeroTasks() {
    TInt32 t = TInt32.tensorOf(Shape.of(expected.shape("input_ids")[0]));
    t.asRawTensor().data().asInts().write(new int[(int) expected.shape("input_ids")[0]]);
    return t;
  }

  /** Runs the teacher-forced program and returns {logits, loss, encoder hidden}. */
  public float[][] teacherForced() {
    try (TInt32 ids = ints("input_ids"); TFloat32 mask = floatsOfInts("attention_mask");
        TInt32 labels = ints("labels"); TInt32 tasks = zeroTasks();
        Result r = session.runner().feed(lm.inputIds, ids).feed(lm.inputMask, mask).feed(lm.labels, labels)
            .feed(lm.taskIds, tasks).fetch(lm.logits).fetch(lm.loss).run()) {
      return new float[][] {read(r, 0), read(r, 1)};
    }
  }

  public static float[] read(Result r, int i) {
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
