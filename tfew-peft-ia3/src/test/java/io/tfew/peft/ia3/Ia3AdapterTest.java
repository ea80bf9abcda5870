package io.tfew.peft.ia3;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tfew.api.config.ConfigSection;
import io.tfew.api.peft.PeftMethod;
import io.tfew.core.adapter.AdapterDirectory;
import io.tfew.core.checkpoint.FloatTensor;
import io.tfew.core.checkpoint.SafetensorsReader;
import io.tfew.core.checkpoint.SafetensorsWriter;
import io.tfew.core.plugin.PluginRegistry;
import io.tfew.core.testing.ExpectedTensors;
import io.tfew.core.testing.ParityModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Adapters through core's {@link AdapterDirectory}: a tfew round trip, and directories laid out as
 * Hugging Face PEFT writes them (no {@code tfew_config}), in both of PEFT's placements of {@code l_ff}.
 */
class Ia3AdapterTest {
  private static final String NAME = "fixture0"; // the name ParityModel gives its first rewriter

  @TempDir
  Path tmp;

  @Test
  void roundTripGivesIdenticalScoresAndPeftFields() throws IOException {
    Path adapter = tmp.resolve("adapter");
    float[] before;
    try (ExpectedTensors e = Ia3TestKit.expected("t0-tiny")) {
      Path init = Ia3TestKit.writePeftVectors(e, tmp.resolve("init.safetensors"));
      ConfigSection section = Ia3TestKit.section(Map.of("init", init.toString()));
      PeftMethod method = Ia3TestKit.provider().create(section);
      try (ParityModel h = new ParityModel("t0-tiny", method)) {
        before = Ia3TestKit.means(Ia3ParityTest.score(h));
        AdapterDirectory.save(adapter, NAME, section, method, h.graph.parameters(), h.session);
      }
    }

    Map<String, Object> json = new ObjectMapper().readValue(adapter.resolve("adapter_config.json").toFile(),
        new TypeReference<Map<String, Object>>() {});
    assertThat(json).containsEntry("peft_type", "IA3").containsEntry("task_type", "SEQ_2_SEQ_LM")
        .containsEntry("feedforward_modules", List.of("wo")).containsEntry("fan_in_fan_out", false)
        .containsEntry("init_ia3_weights", true).containsEntry("inference_mode", true)
        .containsEntry("base_model_name_or_path", null).containsEntry("revision", null)
        .containsEntry("modules_to_save", null).doesNotContainKey("tfew_method");
    // tfew's own record sits beside it, so PEFT versions that reject unknown keys still load the adapter.
    assertThat(new ObjectMapper().readTree(adapter.resolve("tfew_adapter.json").toFile()).get("tfew_method").asText())
        .isEqualTo(NAME);
    // One regex (PEFT full-matches a string target) that also names wo, as feed-forward modules must be targets.
    String targets = (String) json.get("target_modules");
    assertThat("encoder.block.0.layer.0.SelfAttention.k").matches(targets);
    assertThat("decoder.block.1.layer.1.EncDecAttention.v").matches(targets);
    assertThat("decoder.block.1.layer.2.DenseReluDense.wo").matches(targets);
    assertThat("decoder.block.1.layer.0.SelfAttention.q").doesNotMatch(targets);
    assertThat(targets).doesNotContain("\\Q"); // Python's re has no \Q...\E

    try (SafetensorsReader r = SafetensorsReader.open(adapter.resolve("adapter_model.safetensors"))) {
      assertThat(r.metadata()).containsEntry("format", "pt");
      assertThat(r.tensors().keySet()).allMatch(k -> k.startsWith("base_model.model.") && k.endsWith(".ia3_l"));
      // PEFT's shapes: [out, 1] for outputs, [1, in] for wo's input.
      assertThat(r.tensors().get("base_model.model.encoder.block.0.layer.0.SelfAttention.k.ia3_l").shape())
          .containsExactly(64, 1);
      assertThat(r.tensors().get("base_model.model.decoder.block.2.layer.2.DenseReluDense.wo.ia3_l").shape())
          .containsExactly(1, 96);
    }

    PluginRegistry registry = PluginRegistry.discover();
    // The adapter names the method by the name it ran under; resolve it through the provider's own name.
    AdapterDirectory.Spec spec = AdapterDirectory.read(rename(adapter, "ia3"), registry);
    assertThat(spec.provider()).isInstanceOf(Ia3Provider.class);
    ConfigSection restored = ConfigSection.validate("adapter", spec.provider().configFields(), spec.methodConfig());
    PeftMethod fresh = spec.provider().create(restored);
    try (ParityModel h = new ParityModel("t0-tiny", fresh)) {
      // Start from other values so the check shows the load, not the init.
      h.graph.parameters().declaredBy(NAME).values().forEach(d ->
          h.graph.parameters().assign(h.session, d.key(), new float[(int) d.size()]));
      AdapterDirectory.load(adapter, NAME, fresh, h.graph.parameters(), h.session);
      float[] after = Ia3TestKit.means(Ia3ParityTest.score(h));
      assertThat(after).containsExactly(before);
    }
  }

  @Test
  void peftWrittenAdapterWithT_FewPlacementLoads() throws IOException {
    // What PEFT writes for T-Few's placement: k, v and wi_1, all output-scaled, [n, 1].
    try (ExpectedTensors e = Ia3TestKit.expected("t0-tiny")) {
      Map<String, FloatTensor> tensors = new TreeMap<>();
      for (String module : Ia3TestKit.ia3Modules(e)) {
        float[] v = e.floats("ia3." + module);
        // wo's input = gelu(wi_0 x) * wi_1 x in the gated t0-tiny, so the wo vector is wi_1's output vector.
        String target = module.replaceFirst("\\.wo$", ".wi_1");
        tensors.put("base_model.model." + target + ".ia3_l", new FloatTensor(new long[] {v.length, 1}, v));
      }
      Path dir = peftDirectory("tfew-placement", tensors, Map.of("target_modules", List.of("k", "v", "wi_1"),
          "feedforward_modules", List.of()));
      assertPeftDirectoryScores(dir, e);
    }
  }

  @Test
  void peftWrittenAdapterWithPeftsT5DefaultLoads() throws IOException {
    // PEFT's default for model_type t5: k, v, wo with wo feed-forward ([1, d_ff]); config left at null.
    try (ExpectedTensors e = Ia3TestKit.expected("t5-tiny")) {
      Map<String, FloatTensor> tensors = new TreeMap<>();
      for (String module : Ia3TestKit.ia3Modules(e)) {
        float[] v = e.floats("ia3." + module);
        long[] shape = module.endsWith(".wo") ? new long[] {1, v.length} : new long[] {v.length, 1};
        tensors.put("base_model.model." + module + ".ia3_l", new FloatTensor(shape, v));
      }
      Map<String, Object> fields = new LinkedHashMap<>();
      fields.put("target_modules", null);
      fields.put("feedforward_modules", null);
      assertPeftDirectoryScores(peftDirectory("peft-default", tensors, fields), e);
    }
  }

  private Path peftDirectory(String name, Map<String, FloatTensor> tensors, Map<String, Object> fields)
      throws IOException {
    Path dir = tmp.resolve(name);
    Files.createDirectories(dir);
    SafetensorsWriter.write(dir.resolve("adapter_model.safetensors"), tensors, Map.of("format", "pt"));
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("peft_type", "IA3");
    json.put("task_type", "SEQ_2_SEQ_LM");
    json.put("base_model_name_or_path", "bigscience/T0_3B");
    json.put("fan_in_fan_out", false);
    json.put("inference_mode", true);
    json.put("init_ia3_weights", true);
    json.put("peft_version", "0.20.0"); // newer fields are ignored, as the format notes recommend
    json.putAll(fields);
    new ObjectMapper().writeValue(dir.resolve("adapter_config.json").toFile(), json);
    return dir;
  }

  private static void assertPeftDirectoryScores(Path dir, ExpectedTensors e) {
    String fixture = dir.getFileName().toString().equals("tfew-placement") ? "t0-tiny" : "t5-tiny";
    AdapterDirectory.Spec spec = AdapterDirectory.read(dir, PluginRegistry.discover());
    assertThat(spec.provider().name()).isEqualTo("ia3");
    PeftMethod method = spec.provider().create(
        ConfigSection.validate("peft adapter", spec.provider().configFields(), spec.methodConfig()));
    try (ParityModel h = new ParityModel(fixture, method)) {
      AdapterDirectory.load(dir, NAME, method, h.graph.parameters(), h.session);
      float[] scores = Ia3TestKit.means(Ia3ParityTest.score(h));
      double err = Ia3TestKit.maxAbsDiff(scores, e.floats("ia3_choice_scores_mean_logprob"));
      System.out.printf("%s PEFT-written adapter (%s) scores max abs error %.3g%n", fixture, dir.getFileName(), err);
      assertThat(err).isLessThan(Ia3TestKit.TOLERANCE);
    }
  }

  /** A copy of the adapter whose {@code tfew_method} is {@code method} (ParityModel runs it as fixture0). */
  private Path rename(Path adapter, String method) throws IOException {
    Path copy = tmp.resolve("renamed");
    Files.createDirectories(copy);
    Files.copy(adapter.resolve("adapter_model.safetensors"), copy.resolve("adapter_model.safetensors"));
    ObjectMapper m = new ObjectMapper();
    Files.copy(adapter.resolve("adapter_config.json"), copy.resolve("adapter_config.json"));
    Map<String, Object> json = m.readValue(adapter.resolve("tfew_adapter.json").toFile(),
        new TypeReference<Map<String, Object>>() {});
    json.put("tfew_method", method);
    m.writeValue(copy.resolve("tfew_adapter.json").toFile(), json);
    return copy;
  }
}
