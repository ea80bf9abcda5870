package io.tfew.peft.qlora;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tfew.api.config.ConfigSection;
import io.tfew.api.peft.PeftMethod;
import io.tfew.api.peft.PeftMethodProvider;
import io.tfew.core.adapter.AdapterDirectory;
import io.tfew.core.checkpoint.Checkpoint;
import io.tfew.core.checkpoint.SafetensorsReader;
import io.tfew.core.model.TrainableParameters;
import io.tfew.core.plugin.PluginRegistry;
import io.tfew.core.score.RankScorer;
import io.tfew.core.testing.FixtureBatch;
import io.tfew.core.testing.ParityModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TUint8;

/**
 * QLoRA on the t0-tiny fixture: the graph's dequantised weights are the Java ones bit for bit, the model
 * at init is the base model with those weights, the float32 copies are never loaded, each dequantisation waits
 * for its site's input and is marked for recomputation, and adapters round trip in PEFT's LORA layout.
 */
class QloraModelTest {
  /** The name ParityModel gives its first rewriter. */
  private static final String NAME = "fixture0";

  @TempDir
  Path tmp;

  static PeftMethodProvider provider() {
    return PluginRegistry.discover().method("qlora", "test: peft.method");
  }

  static ConfigSection section(Map<String, ?> raw) {
    return ConfigSection.validate("test: peft", provider().configFields(), raw);
  }

  private static float[] graphWeight(byte[] codes, float[] scales, int out, int in, int blockSize) {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      var w = Nf4Graph.weight(tf, tf.constant(TUint8.class, org.tensorflow.ndarray.Shape.of(codes.length),
          org.tensorflow.ndarray.buffer.DataBuffers.of(codes)), tf.constant(scales), out, in, blockSize);
      try (Result r = s.runner().fetch(w).run()) {
        return ParityModel.read(r, 0);
      }
    }
  }

  @Test
  void graphDequantisationEqualsJavaExactly() {
    SplittableRandom random = new SplittableRandom(2);
    for (int[] dims : new int[][] {{48, 96}, {7, 10}, {3, 130}}) {
      float[] w = new float[dims[0] * dims[1]];
      for (int i = 0; i < w.length; i++) {
        w[i] = (float) random.nextGaussian() * 0.1f;
      }
      Nf4.Quantized q = Nf4.quantize(w, 64);
      assertThat(graphWeight(q.codes(), q.absmax(), dims[0], dims[1], 64)).as(dims[0] + "x" + dims[1])
          .containsExactly(Nf4.dequantize(q.codes(), q.absmax(), w.length, 64));
    }
    // Double-quantised scales: 300 blocks, one full group of 256 and a padded one.
    float[] absmax = new float[300];
    for (int i = 0; i < absmax.length; i++) {
      absmax[i] = (float) (0.01 + random.nextDouble() * 0.2);
    }
    BlockScales.Quantized s = BlockScales.quantize(absmax);
    try (Graph g = new Graph(); Session session = new Session(g)) {
      Ops tf = Ops.create(g);
      var scales = Nf4Graph.scales(tf, tf.constant(TUint8.class, org.tensorflow.ndarray.Shape.of(s.codes().length),
          org.tensorflow.ndarray.buffer.DataBuffers.of(s.codes())), tf.constant(s.groupScale()),
          tf.constant(new float[] {s.offset()}), absmax.length);
      try (Result r = session.runner().fetch(scales).run()) {
        assertThat(ParityModel.read(r, 0)).containsExactly(BlockScales.dequantize(s, absmax.length));
      }
    }
  }

  @Test
  void atInitTheModelIsTheBaseModelWithDequantisedWeights() {
    // double_quant false is wired up in the adapter round trip below.
    for (boolean doubleQuant : new boolean[] {true}) {
      QloraMethod qlora = (QloraMethod) provider().create(section(Map.of("double_quant", doubleQuant)));
      float[] quantised;
      float[] quantisedScores;
      try (ParityModel q = new ParityModel("t0-tiny", qlora)) {
        quantised = q.teacherForced()[0];
        quantisedScores = FixtureBatch.means(new RankScorer(q.session, q.rank, 0)
            .scoreBatch(FixtureBatch.examples(q.expected())));
        // 2 encoder blocks x 7 linears (4 attention, wi_0, wi_1, wo) + 3 decoder blocks x 11.
        assertThat(qlora.modules()).hasSize(2 * 7 + 3 * 11);
        // The float32 copy of a quantised weight was never loaded; an untouched weight was.
        assertThatThrownBy(() -> fetch(q, "encoder.block.0.layer.0.SelfAttention.q.weight")).isNotNull();
        assertThat(fetch(q, "encoder.block.0.layer.0.layer_norm.weight")).isNotEmpty();
        assertThat(q.graph.weights().replaced()).hasSize(2 * 7 + 3 * 11);
        // Each program dequantises each site once its input is there (a control input on the chain's first
        // op), every op of the chain marked for grappler to recompute for the backward pass.
        List<GraphOperation> casts = new ArrayList<>();
        Map<String, Integer> hintedTypes = new TreeMap<>();
        ((Graph) q.graph.ops().scope().env()).operations().forEachRemaining(op -> {
          if (hinted(op)) {
            hintedTypes.merge(op.type(), 1, Integer::sum);
            if (op.type().equals("Cast")) {
              casts.add(op);
            }
          }
        });
        assertThat(casts).hasSizeGreaterThanOrEqualTo(qlora.modules().size());
        assertThat(casts).allSatisfy(op -> assertThat(op.numControlInputs()).as(op.name()).isPositive());
        assertThat(hintedTypes.keySet()).containsExactly("BitwiseAnd", "Cast", "GatherV2", "Mul", "Pack", "Reshape",
            "RightShift");
        assertThat(hintedTypes.get("Reshape")).isEqualTo(4 * casts.size());
      }
      float[] base;
      float[] dequantised;
      float[] dequantisedScores;
      try (ParityModel p = new ParityModel("t0-tiny")) {
        base = p.teacherForced()[0];
        try (Checkpoint c = Checkpoint.open(p.dir)) {
          for (String module : qlora.modules()) {
            String key = module + ".weight";
            float[] w = c.readFloats(key);
            Nf4.Quantized n = Nf4.quantize(w, 64);
            float[] scales = doubleQuant ? BlockScales.dequantize(BlockScales.quantize(n.absmax()), n.absmax().length)
                : n.absmax();
            p.graph.weights().assign(p.session, key, Nf4.dequantize(n.codes(), scales, w.length, 64));
          }
        }
        dequantised = p.teacherForced()[0];
        dequantisedScores = FixtureBatch.means(new RankScorer(p.session, p.rank, 0)
            .scoreBatch(FixtureBatch.examples(p.expected())));
      }
      assertThat(quantised).as("double_quant " + doubleQuant).containsExactly(dequantised);
      assertThat(quantisedScores).containsExactly(dequantisedScores);
      double spread = FixtureBatch.maxAbsDiff(base, new float[base.length]);
      double shift = FixtureBatch.maxAbsDiff(quantised, base);
      System.out.printf("qlora at init (double_quant %s): logits max |diff| vs float32 base %.4f (logits up to %.3f)%n",
          doubleQuant, shift, spread);
      // NF4 moves the logits of this small random model (5 quantised layers of width 48), but by well under
      // their own size.
      assertThat(shift).isGreaterThan(0).isLessThan(0.5 * spread);
    }
  }

  private static boolean hinted(GraphOperation op) {
    try {
      op.attributes().getAttrInt(Nf4Graph.RECOMPUTE_HINT);
      return true;
    } catch (RuntimeException absent) {
      return false;
    }
  }

  private static float[] fetch(ParityModel p, String key) {
    try (Result r = p.session.runner().fetch(p.graph.weights().get(key)).run()) {
      return ParityModel.read(r, 0);
    }
  }

  @Test
  void adapterRoundTripHoldsOnlyLoraMatricesInPeftLayout() throws IOException {
    Path adapter = tmp.resolve("adapter");
    ConfigSection config = section(Map.of("r", 2, "alpha", 16, "double_quant", false));
    PeftMethod method = provider().create(config);
    float[] before;
    try (ParityModel h = new ParityModel("t0-tiny", method)) {
      float[] init = h.teacherForced()[0];
      SplittableRandom random = new SplittableRandom(3);
      for (TrainableParameters.Declared d : h.graph.parameters().declaredBy(NAME).values()) {
        float[] v = h.graph.parameters().read(h.session, d.key());
        for (int i = 0; i < v.length; i++) {
          v[i] += (float) random.nextDouble(-0.05, 0.05);
        }
        h.graph.parameters().assign(h.session, d.key(), v);
      }
      before = h.teacherForced()[0];
      assertThat(FixtureBatch.maxAbsDiff(before, init)).isGreaterThan(1e-3);
      AdapterDirectory.save(adapter, NAME, config, method, h.graph.parameters(), h.session);
    }
    ObjectMapper json = new ObjectMapper();
    Map<String, Object> peft = json.readValue(adapter.resolve(AdapterDirectory.CONFIG_FILE).toFile(),
        new TypeReference<Map<String, Object>>() {});
    assertThat(peft).containsEntry("peft_type", "LORA").containsEntry("r", 2).containsEntry("lora_alpha", 16);
    assertThat("decoder.block.2.layer.2.DenseReluDense.wi_1").matches((String) peft.get("target_modules"));
    Map<String, Object> tfew = json.readValue(adapter.resolve(AdapterDirectory.TFEW_FILE).toFile(),
        new TypeReference<Map<String, Object>>() {});
    assertThat(tfew).containsEntry("tfew_method", NAME);
    try (SafetensorsReader r = SafetensorsReader.open(adapter.resolve(AdapterDirectory.WEIGHTS_FILE))) {
      assertThat(r.tensors().keySet()).allMatch(k -> k.startsWith("base_model.model.")
          && (k.endsWith(".lora_A.weight") || k.endsWith(".lora_B.weight")));
      assertThat(r.tensors()).hasSize(2 * (2 * 7 + 3 * 11));
    }

    PeftMethod fresh = provider().create(config);
    try (ParityModel h = new ParityModel("t0-tiny", fresh)) {
      AdapterDirectory.load(adapter, NAME, fresh, h.graph.parameters(), h.session);
      assertThat(h.teacherForced()[0]).containsExactly(before);
    }
  }
}
