package io.tfew.core.adapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tfew.api.TfewException;
import io.tfew.api.config.ConfigField;
import io.tfew.api.config.ConfigSection;
import io.tfew.api.model.LinearSite;
import io.tfew.api.model.ParameterInit;
import io.tfew.api.peft.PeftMethod;
import io.tfew.core.checkpoint.FloatTensor;
import io.tfew.core.checkpoint.SafetensorsReader;
import io.tfew.core.checkpoint.SafetensorsWriter;
import io.tfew.core.model.SiteRewrites;
import io.tfew.core.model.T5Config;
import io.tfew.core.model.TrainableParameters;
import io.tfew.core.plugin.PluginRegistry;
import io.tfew.core.runtime.ModelGraph;
import io.tfew.core.score.RankScoringGraph;
import io.tfew.core.testing.SharedFixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;

// One graph for the class: building it is the slow part, and every test sets the values it checks.
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdapterDirectoryTest {
  private static final String NAME = "scale_q";
  private static final String PREFIX = "base_model.model.";

  /** Scales every attention query by a trainable vector; stores it under a PEFT-style key. */
  static final class ScaleQueries implements PeftMethod {
    @Override
    public Operand<TFloat32> linearOutput(LinearSite site, Operand<TFloat32> input, Operand<TFloat32> output) {
      if (!site.path().endsWith(".q")) {
        return output;
      }
      Operand<TFloat32> l = site.context().parameters().trainable(site.path() + ".scale",
          Shape.of(site.outFeatures()), ParameterInit.constant(1f));
      return site.context().tf().math.mul(output, l);
    }

    @Override
    public String adapterKey(String parameterKey) {
      return PREFIX + parameterKey;
    }

    @Override
    public Map<String, Object> adapterConfig() {
      return Map.of("peft_type", "SCALE_Q");
    }
  }

  private final ScaleQueries method = new ScaleQueries();
  private final ConfigSection config = ConfigSection.validate("test: peft",
      List.of(ConfigField.ofDouble("factor", 1.0, "unused")), Map.of("factor", 3));
  private T5Config t5;
  private ModelGraph graph;
  private Session session;

  @BeforeAll
  void build() {
    t5 = T5Config.read(SharedFixtures.path("fixtures/t5-parity/t0-tiny/config.json"));
    graph = new ModelGraph(t5, new SiteRewrites(List.of(new SiteRewrites.Active(NAME, method))), false, 1, 0L);
    RankScoringGraph.build(graph.ops(), graph.model());
    session = graph.startSession();
  }

  @AfterAll
  void close() {
    if (session != null) {
      session.close();
    }
    if (graph != null) {
      graph.close();
    }
  }

  private TrainableParameters parameters() {
    return graph.parameters();
  }

  private Map<String, float[]> randomValues(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    Map<String, float[]> values = new LinkedHashMap<>();
    for (TrainableParameters.Declared d : parameters().declaredBy(NAME).values()) {
      float[] v = new float[(int) d.size()];
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) random.nextDouble(-2, 2);
      }
      values.put(d.key(), v);
    }
    return values;
  }

  private void assign(Map<String, float[]> values) {
    values.forEach((k, v) -> parameters().assign(session, k, v));
  }

  @Test
  void theMethodDeclaredOneVectorPerQuerySite() {
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < t5.numLayers(); i++) {
      expected.add("encoder.block." + i + ".layer.0.SelfAttention.q.scale");
    }
    for (int i = 0; i < t5.numDecoderLayers(); i++) {
      expected.add("decoder.block." + i + ".layer.0.SelfAttention.q.scale");
      expected.add("decoder.block." + i + ".layer.1.EncDecAttention.q.scale");
    }

    Map<String, TrainableParameters.Declared> declared = parameters().declaredBy(NAME);

    assertThat(declared.keySet()).containsExactlyInAnyOrderElementsOf(expected);
    declared.values().forEach(d -> assertThat(d.shape()).containsExactly(t5.innerDim()));
    assertThat(parameters().count()).isEqualTo((long) expected.size() * t5.innerDim());
  }

  @Test
  void savedValuesAreRestoredExactly(@TempDir Path dir) {
    Map<String, float[]> saved = randomValues(1);
    assign(saved);
    AdapterDirectory.save(dir, NAME, config, method, parameters(), session);
    assign(randomValues(2));

    AdapterDirectory.load(dir, NAME, method, parameters(), session);

    for (Map.Entry<String, float[]> e : saved.entrySet()) {
      assertThat(parameters().read(session, e.getKey())).as(e.getKey()).containsExactly(e.getValue());
    }
  }

  @Test
  void theWeightsFileHoldsExactlyTheParametersUnderTheirAdapterKeys(@TempDir Path dir) {
    Map<String, float[]> saved = randomValues(3);
    assign(saved);

    AdapterDirectory.save(dir, NAME, config, method, parameters(), session);

    try (SafetensorsReader r = SafetensorsReader.open(dir.resolve(AdapterDirectory.WEIGHTS_FILE))) {
      assertThat(r.tensors().keySet()).containsExactlyInAnyOrderElementsOf(
          saved.keySet().stream().map(k -> PREFIX + k).toList());
      for (Map.Entry<String, float[]> e : saved.entrySet()) {
        assertThat(r.tensors().get(PREFIX + e.getKey()).shape()).containsExactly(t5.innerDim());
        assertThat(r.readFloats(PREFIX + e.getKey())).containsExactly(e.getValue());
      }
      assertThat(r.metadata()).containsEntry("format", "pt");
    }
  }

  @Test
  void adapterConfigRecordsTheMethodItsOptionsAndItsOwnFields(@TempDir Path dir) throws IOException {
    AdapterDirectory.save(dir, NAME, config, method, parameters(), session);

    JsonNode peft = new ObjectMapper().readTree(dir.resolve(AdapterDirectory.CONFIG_FILE).toFile());
    JsonNode tfew = new ObjectMapper().readTree(dir.resolve(AdapterDirectory.TFEW_FILE).toFile());

    // PEFT's file holds only the method's own fields: PEFT 0.6-0.13 reject unknown keys.
    assertThat(peft.get("peft_type").textValue()).isEqualTo("SCALE_Q");
    assertThat(peft.has("tfew_method")).isFalse();
    assertThat(tfew.get("tfew_method").textValue()).isEqualTo(NAME);
    assertThat(tfew.get("tfew_config").get("factor").doubleValue()).isEqualTo(3.0);
    // No temporary file of the atomic write is left behind.
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(
          AdapterDirectory.CONFIG_FILE, AdapterDirectory.WEIGHTS_FILE, AdapterDirectory.TFEW_FILE);
    }
  }

  /** The saved tensors as they would be written, for editing into broken files. */
  private Map<String, FloatTensor> fileTensors(Map<String, float[]> values) {
    Map<String, FloatTensor> tensors = new TreeMap<>();
    values.forEach((k, v) -> tensors.put(PREFIX + k, new FloatTensor(new long[] {v.length}, v)));
    return tensors;
  }

  @Test
  void anExtraTensorIsRejectedByName(@TempDir Path dir) {
    Map<String, FloatTensor> tensors = fileTensors(randomValues(4));
    tensors.put(PREFIX + "encoder.block.0.layer.0.SelfAttention.k.scale",
        new FloatTensor(new long[] {t5.innerDim()}, new float[t5.innerDim()]));
    SafetensorsWriter.write(dir.resolve(AdapterDirectory.WEIGHTS_FILE), tensors, Map.of());

    assertThatThrownBy(() -> AdapterDirectory.load(dir, NAME, method, parameters(), session))
        .isInstanceOf(TfewException.class)
        .hasMessageContainingAll(AdapterDirectory.WEIGHTS_FILE,
            "'" + PREFIX + "encoder.block.0.layer.0.SelfAttention.k.scale'", "not a parameter");
  }

  @Test
  void aVectorStoredWithATrailingUnitAxisLoadsLikeHuggingFacePeftWritesIt(@TempDir Path dir) {
    long n = t5.innerDim();
    Map<String, FloatTensor> tensors = fileTensors(randomValues(6));
    String key = PREFIX + "decoder.block.1.layer.1.EncDecAttention.q.scale";
    float[] values = randomValues(7).get(key.substring(PREFIX.length()));
    tensors.put(key, new FloatTensor(new long[] {n, 1}, values));
    SafetensorsWriter.write(dir.resolve(AdapterDirectory.WEIGHTS_FILE), tensors, Map.of());

    AdapterDirectory.load(dir, NAME, method, parameters(), session);

    assertThat(parameters().read(session, key.substring(PREFIX.length()))).containsExactly(values);
  }

  @Test
  void aTensorWithTheSameCountButAnotherShapeIsRejected(@TempDir Path dir) {
    Map<String, FloatTensor> tensors = fileTensors(randomValues(8));
    String key = PREFIX + "decoder.block.1.layer.1.EncDecAttention.q.scale";
    tensors.put(key, new FloatTensor(new long[] {8, t5.innerDim() / 8}, new float[t5.innerDim()]));
    SafetensorsWriter.write(dir.resolve(AdapterDirectory.WEIGHTS_FILE), tensors, Map.of());

    assertThatThrownBy(() -> AdapterDirectory.load(dir, NAME, method, parameters(), session))
        .isInstanceOf(TfewException.class)
        .hasMessageContaining("'" + key + "'");
  }

  @Test
  void aTensorOfTheWrongShapeIsRejectedByName(@TempDir Path dir) {
    Map<String, FloatTensor> tensors = fileTensors(randomValues(5));
    String key = PREFIX + "decoder.block.1.layer.1.EncDecAttention.q.scale";
    tensors.put(key, new FloatTensor(new long[] {32}, new float[32]));
    SafetensorsWriter.write(dir.resolve(AdapterDirectory.WEIGHTS_FILE), tensors, Map.of());

    assertThatThrownBy(() -> AdapterDirectory.load(dir, NAME, method, parameters(), session))
        .isInstanceOf(TfewException.class)
        .hasMessageContainingAll("'" + key + "'", "[32]", "[" + t5.innerDim() + "]");
  }

  @Test
  void aMissingTensorIsRejectedByName(@TempDir Path dir) {
    Map<String, FloatTensor> tensors = fileTensors(randomValues(6));
    String key = PREFIX + "encoder.block.1.layer.0.SelfAttention.q.scale";
    tensors.remove(key);
    SafetensorsWriter.write(dir.resolve(AdapterDirectory.WEIGHTS_FILE), tensors, Map.of());

    assertThatThrownBy(() -> AdapterDirectory.load(dir, NAME, method, parameters(), session))
        .isInstanceOf(TfewException.class)
        .hasMessageContainingAll("'" + key + "'", "missing");
  }

  @Test
  void readingNeedsTheConfigFileAndAnInstalledMethod(@TempDir Path dir) {
    PluginRegistry none = PluginRegistry.discover();
    assertThatThrownBy(() -> AdapterDirectory.read(dir, none))
        .isInstanceOf(TfewException.class)
        .hasMessageContainingAll(dir.toString(), AdapterDirectory.CONFIG_FILE);

    AdapterDirectory.save(dir, NAME, config, method, parameters(), session);

    // The test class path installs no PEFT methods, so the recorded one cannot be resolved.
    assertThatThrownBy(() -> AdapterDirectory.read(dir, none))
        .isInstanceOf(TfewException.class)
        .hasMessageContainingAll(AdapterDirectory.TFEW_FILE, "tfew_method", "'" + NAME + "'");
  }
}
