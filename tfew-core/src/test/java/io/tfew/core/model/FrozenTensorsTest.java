package io.tfew.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tfew.api.TfewException;
import io.tfew.api.config.ConfigSection;
import io.tfew.api.model.GraphContext;
import io.tfew.api.model.LinearSite;
import io.tfew.api.model.ModelRewriter;
import io.tfew.api.model.ParameterInit;
import io.tfew.api.peft.PeftMethod;
import io.tfew.core.adapter.AdapterDirectory;
import io.tfew.core.checkpoint.Checkpoint;
import io.tfew.core.checkpoint.SafetensorsReader;
import io.tfew.core.lm.TeacherForcedGraph;
import io.tfew.core.runtime.ActiveMethod;
import io.tfew.core.runtime.ModelGraph;
import io.tfew.core.runtime.TrainableCount;
import io.tfew.core.score.RankScoringGraph;
import io.tfew.core.testing.ExpectedTensors;
import io.tfew.core.testing.SharedFixtures;
import io.tfew.core.testing.VeraLikeProvider;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * {@link io.tfew.api.model.Parameters#frozen}: frozen tensors a method owns are drawn from the run's seed
 * per key, shared by key, never trained or counted as trainable, and round-trip through the method's
 * adapter; shown on {@link VeraLikeProvider}, a VeRA written against tfew-api alone.
 */
class FrozenTensorsTest {
  private static final Path DIR = SharedFixtures.path("fixtures/t5-parity/t0-tiny");
  /** q is [64, 48] and o is [48, 64] on t0-tiny, so the shared pair is [r, 64] and [64, r], sliced per site. */
  private static final Map<String, Object> VERA = Map.of("r", 3, "target_modules", List.of(".*Attention\\.(q|o)"));

  @TempDir
  Path tmp;

  private static T5Config config() {
    return T5Config.read(DIR.resolve("config.json"));
  }

  private static PeftMethod vera(Map<String, Object> options) {
    VeraLikeProvider p = new VeraLikeProvider();
    return p.create(ConfigSection.validate("peft[0]", p.configFields(), options));
  }

  private static ModelGraph graph(long seed, SiteRewrites.Active... active) {
    return new ModelGraph(config(), new SiteRewrites(List.of(active)), false, 1, seed);
  }

  @Test
  void sameKeyAndShapeIsOneTensorAnotherShapeOrATrainableKeyIsRefused() {
    ModelRewriter declares = new ModelRewriter() {
      @Override
      public void beginGraph(GraphContext ctx) {
        Operand<TFloat32> first = ctx.parameters().frozen("basis", Shape.of(2, 3), ParameterInit.normal(1));
        assertThat(ctx.parameters().frozen("basis", Shape.of(2, 3), ParameterInit.zeros())).isSameAs(first);
        assertThatThrownBy(() -> ctx.parameters().frozen("basis", Shape.of(3, 2), ParameterInit.zeros()))
            .isInstanceOf(TfewException.class).hasMessageContaining("different shapes");
        assertThatThrownBy(() -> ctx.parameters().trainable("basis", Shape.of(2, 3), ParameterInit.zeros()))
            .isInstanceOf(TfewException.class).hasMessageContaining("trainable or frozen, not both");
        ctx.parameters().trainable("scale", Shape.of(3), ParameterInit.zeros());
        assertThatThrownBy(() -> ctx.parameters().frozen("scale", Shape.of(3), ParameterInit.zeros()))
            .isInstanceOf(TfewException.class).hasMessageContaining("trainable or frozen, not both");
      }
    };
    try (ModelGraph g = graph(0, new SiteRewrites.Active("declares", declares))) {
      assertThat(g.parameters().frozenTensors()).containsOnlyKeys("basis");
      assertThat(g.parameters().declared()).containsOnlyKeys("scale");
      assertThat(g.parameters().count()).isEqualTo(3);
      assertThat(g.parameters().frozenCount()).isEqualTo(6);
      assertThat(g.parameters().savedBy("declares")).containsOnlyKeys("scale", "basis");
    }
  }

  @Test
  void valuesComeFromTheSeedAndKeyAloneNotFromOtherMethods() {
    ModelRewriter basis = frozenOnly("basis");
    ModelRewriter other = frozenOnly("other");
    float[] seed1 = frozenValues(1, "basis", new SiteRewrites.Active("m", basis));
    float[] seed1WithAnother = frozenValues(1, "basis", new SiteRewrites.Active("o", other),
        new SiteRewrites.Active("m", frozenOnly("basis")));
    float[] seed2 = frozenValues(2, "basis", new SiteRewrites.Active("m", frozenOnly("basis")));
    assertThat(seed1WithAnother).containsExactly(seed1);
    assertThat(seed2).isNotEqualTo(seed1);
    // The same stream trainable parameters use: the run seed and the key.
    float[] expected = new float[seed1.length];
    ParameterInit.normal(1).fill(expected, new long[] {4, 5}, streamFor(1, "basis"));
    assertThat(seed1).containsExactly(expected);
  }

  @Test
  void beginGraphSeesEverySiteInVisitOrderBeforeAnyHookAndMethodsRunInYamlOrder() {
    List<String> calls = new java.util.ArrayList<>();
    List<String> visited = new java.util.ArrayList<>();
    ModelRewriter first = recorder("first", calls, visited);
    ModelRewriter second = recorder("second", calls, new java.util.ArrayList<>());
    try (ModelGraph g = graph(0, new SiteRewrites.Active("first", first), new SiteRewrites.Active("second", second))) {
      assertThat(calls).containsExactly("first.beginGraph", "second.beginGraph");
      RankScoringGraph.build(g.ops(), g.model());
      assertThat(calls.subList(2, 4)).containsExactly("first.site", "second.site");
      List<String> listed = T5Model.sites(config()).stream().map(s -> s.kind() + " " + s.path()).toList();
      // Rank scoring runs the encoder once and the decoder once: one visit per site, in list order.
      assertThat(visited).containsExactlyElementsOf(listed);
      assertThat(listed).contains("LINEAR encoder.block.0.layer.0.SelfAttention.q",
          "KEY_VALUE decoder.block.2.layer.1.EncDecAttention", "FFN_ACTIVATION encoder.block.1.layer.1.DenseReluDense",
          "LINEAR decoder.block.0.layer.2.DenseReluDense.wi_1", "INPUT_EMBEDDINGS decoder.embed_tokens", "LINEAR lm_head");
    }
  }

  @Test
  void veraProjectionsAreFrozenSharedAndSizedByTheWidestTarget() {
    PeftMethod vera = vera(VERA);
    try (ModelGraph g = graph(0, new SiteRewrites.Active("vera_test", vera))) {
      RankScoringGraph.build(g.ops(), g.model());
      assertThat(((VeraLikeProvider.Method) vera).sitesSeen()).hasSameSizeAs(T5Model.sites(config()));
      assertThat(g.parameters().frozenTensors()).containsOnlyKeys("vera_A", "vera_B");
      assertThat(g.parameters().frozenTensors().get("vera_A").shape()).containsExactly(3, 64);
      assertThat(g.parameters().frozenTensors().get("vera_B").shape()).containsExactly(64, 3);
      // 2 encoder + 3 decoder blocks; q in self- and cross-attention, o in both: 13 sites of d [3] and b [out].
      long sites = g.parameters().declared().keySet().stream().filter(k -> k.endsWith(".vera_lambda_d")).count();
      assertThat(sites).isEqualTo(2 * 2 + 3 * 4);
      assertThat(g.parameters().count()).isEqualTo(2 * (3 + 64 + 3 + 48) + 3 * 2 * (3 + 64 + 3 + 48));
      assertThat(g.parameters().frozenCount()).isEqualTo(2 * 3 * 64);
      assertThat(g.parameters().declared().keySet()).noneMatch(k -> k.startsWith("vera_"));
    }
    TrainableCount.Counts counts = TrainableCount.counts(config(), List.of(new ActiveMethod("vera_test",
        new VeraLikeProvider(), ConfigSection.validate("x", new VeraLikeProvider().configFields(), VERA),
        Optional.empty())));
    assertThat(counts.frozen()).isEqualTo(2 * 3 * 64);
    assertThat(counts.frozenSuffix()).isEqualTo(", 384 frozen");
  }

  @Test
  void veraProjectionsRoundTripThroughTheAdapterWhateverTheLoadingSeed() throws Exception {
    Path adapter = tmp.resolve("adapter");
    float[] a1;
    float[] logits1;
    PeftMethod saving = vera(VERA);
    try (Harness h = new Harness(1, saving)) {
      // b = 0 at init would hide A and B from the output: give every b values, as training would.
      SplittableRandom r = new SplittableRandom(3);
      for (var d : h.graph.parameters().declared().values()) {
        float[] v = new float[(int) d.size()];
        for (int i = 0; i < v.length; i++) {
          v[i] = (float) r.nextDouble(-0.5, 0.5);
        }
        h.graph.parameters().assign(h.session, d.key(), v);
      }
      a1 = h.graph.parameters().read(h.session, "vera_A");
      logits1 = h.logits();
      AdapterDirectory.save(adapter, "vera_test", ConfigSection.validate("x", new VeraLikeProvider().configFields(), VERA),
          saving, h.graph.parameters(), h.session);
      float[] b1 = h.graph.parameters().read(h.session, "vera_B");
      try (SafetensorsReader file = SafetensorsReader.open(adapter.resolve(AdapterDirectory.WEIGHTS_FILE))) {
        assertThat(file.tensors()).containsKeys("base_model.vera_A", "base_model.vera_B",
            "base_model.model.encoder.block.0.layer.0.SelfAttention.q.vera_lambda_d");
        assertThat(file.readFloats("base_model.vera_A")).containsExactly(a1);
        assertThat(file.readFloats("base_model.vera_B")).containsExactly(b1);
        assertThat(file.tensors().get("base_model.vera_A").shape()).containsExactly(3, 64);
      }
    }
    PeftMethod loading = vera(VERA);
    try (Harness h = new Harness(2, loading)) {
      float[] drawn = h.graph.parameters().read(h.session, "vera_A");
      assertThat(drawn).as("another seed draws other projections").isNotEqualTo(a1);
      float[] before = h.logits();
      AdapterDirectory.load(adapter, "vera_test", loading, h.graph.parameters(), h.session);
      assertThat(h.graph.parameters().read(h.session, "vera_A")).containsExactly(a1);
      float[] after = h.logits();
      assertThat(after).containsExactly(logits1);
      assertThat(before).isNotEqualTo(logits1);
    }
  }

  @Test
  void anAdapterWithoutTheFrozenTensorsIsRefusedNamingThem() throws Exception {
    Path adapter = tmp.resolve("no-projections");
    PeftMethod saving = vera(VERA);
    try (Harness h = new Harness(1, saving)) {
      Map<String, io.tfew.core.checkpoint.FloatTensor> trainableOnly = new java.util.TreeMap<>();
      for (var d : h.graph.parameters().declared().values()) {
        trainableOnly.put(saving.adapterKey(d.key()),
            new io.tfew.core.checkpoint.FloatTensor(d.shape(), h.graph.parameters().read(h.session, d.key())));
      }
      AdapterDirectory.writePeft(adapter, trainableOnly, Map.of("peft_type", "VERA"));
      assertThatThrownBy(() -> AdapterDirectory.load(adapter, "vera_test", saving, h.graph.parameters(), h.session))
          .isInstanceOf(TfewException.class).hasMessageContaining("base_model.vera_A")
          .hasMessageContaining("save_projection");
    }
  }

  /** A graph with teacher forcing over the fixture's batch, the checkpoint loaded, at {@code seed}. */
  private static final class Harness implements AutoCloseable {
    final ModelGraph graph;
    final TeacherForcedGraph lm;
    final Session session;
    final ExpectedTensors expected = new ExpectedTensors(DIR.resolve("expected.safetensors"));

    Harness(long seed, PeftMethod method) {
      graph = graph(seed, new SiteRewrites.Active("vera_test", method));
      lm = TeacherForcedGraph.build(graph.ops(), graph.model());
      session = graph.startSession();
      try (Checkpoint c = Checkpoint.open(DIR)) {
        graph.weights().load(session, c, n -> { });
      }
      graph.parameters().initializeFromBase(session);
    }

    float[] logits() {
      try (TInt32 ids = ints("input_ids"); TFloat32 mask = floats("attention_mask"); TInt32 labels = ints("labels");
          TInt32 tasks = TInt32.tensorOf(Shape.of(expected.shape("input_ids")[0]));
          Result r = session.runner().feed(lm.inputIds, ids).feed(lm.inputMask, mask).feed(lm.labels, labels)
              .feed(lm.taskIds, tasks).fetch(lm.logits).run()) {
        TFloat32 t = (TFloat32) r.get(0);
        float[] out = new float[(int) t.size()];
        t.asRawTensor().data().asFloats().read(out);
        return out;
      }
    }

    private TInt32 ints(String name) {
      TInt32 t = TInt32.tensorOf(Shape.of(expected.shape(name)));
      t.asRawTensor().data().asInts().write(expected.ints(name));
      return t;
    }

    private TFloat32 floats(String name) {
      int[] v = expected.ints(name);
      float[] f = new float[v.length];
      for (int i = 0; i < v.length; i++) {
        f[i] = v[i];
      }
      TFloat32 t = TFloat32.tensorOf(Shape.of(expected.shape(name)));
      t.asRawTensor().data().asFloats().write(f);
      return t;
    }

    @Override
    public void close() {
      session.close();
      graph.close();
      expected.close();
    }
  }

  private static ModelRewriter frozenOnly(String key) {
    return new ModelRewriter() {
      @Override
      public void beginGraph(GraphContext ctx) {
        ctx.parameters().frozen(key, Shape.of(4, 5), ParameterInit.normal(1));
      }
    };
  }

  private static float[] frozenValues(long seed, String key, SiteRewrites.Active... active) {
    try (ModelGraph g = graph(seed, active); Session s = g.startSession()) {
      return g.parameters().read(s, key);
    }
  }

  /** TrainableParameters' per-key stream, restated so a change to it is noticed here. */
  private static SplittableRandom streamFor(long seed, String key) {
    long h = seed;
    for (byte b : key.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
      h = h * 1_000_003L + b;
    }
    return new SplittableRandom(h);
  }

  private static ModelRewriter recorder(String name, List<String> calls, List<String> visited) {
    return new ModelRewriter() {
      private boolean begun;

      @Override
      public void beginGraph(GraphContext ctx) {
        begun = true;
        calls.add(name + ".beginGraph");
      }

      private void site(String kind, String path) {
        assertThat(begun).as("beginGraph before any site hook").isTrue();
        if (calls.size() < 4) {
          calls.add(name + ".site");
        }
        visited.add(kind + " " + path);
      }

      @Override
      public Operand<TFloat32> linearOutput(LinearSite site, Operand<TFloat32> input, Operand<TFloat32> output) {
        site("LINEAR", site.path());
        return output;
      }

      @Override
      public Operand<TFloat32> ffnActivation(io.tfew.api.model.FfnSite site, Operand<TFloat32> activation) {
        site("FFN_ACTIVATION", site.path());
        return activation;
      }

      @Override
      public io.tfew.api.model.KeyValue keyValue(io.tfew.api.model.AttentionSite site, io.tfew.api.model.KeyValue kv) {
        site("KEY_VALUE", site.path());
        return kv;
      }

      @Override
      public io.tfew.api.model.EmbeddedInput inputEmbeddings(io.tfew.api.model.EmbeddingSite site,
          io.tfew.api.model.EmbeddedInput input) {
        site("INPUT_EMBEDDINGS", site.path());
        return input;
      }
    };
  }
}
