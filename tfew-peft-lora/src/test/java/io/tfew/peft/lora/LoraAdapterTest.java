package io.tfew.peft.lora;

import static io.tfew.peft.lora.LoraTestKit.NAME;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tfew.api.TfewException;
import io.tfew.api.config.ConfigSection;
import io.tfew.api.peft.PeftMethod;
import io.tfew.core.adapter.AdapterDirectory;
import io.tfew.core.checkpoint.SafetensorsReader;
import io.tfew.core.model.TrainableParameters;
import io.tfew.core.testing.ParityModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Adapters through core's {@link AdapterDirectory}: what tfew writes follows PEFT's LORA layout (keys,
 * shapes, config fields), and saving then loading gives identical logits, with and without trained
 * layer norms.
 */
class LoraAdapterTest {
  @TempDir
  Path tmp;

  @Test
  void roundTripGivesIdenticalLogitsAndPeftLayout() throws IOException {
    Path adapter = tmp.resolve("adapter");
    ConfigSection section = LoraTestKit.section(Map.of("r", 2, "alpha", 16, "target_modules",
        LoraConfig.ALL_LINEAR_TARGETS, "train_layer_norms", true));
    PeftMethod method = LoraTestKit.provider().create(section);
    float[] before;
    float[] base;
    try (ParityModel h = new ParityModel("t0-tiny", method)) {
      base = h.teacherForced()[0];
      // Trained-looking values: random B (A is already random) and layer norms moved off the checkpoint.
      SplittableRandom random = new SplittableRandom(3);
      for (TrainableParameters.Declared d : h.graph.parameters().declaredBy(NAME).values()) {
        float[] v = h.graph.parameters().read(h.session, d.key());
        for (int i = 0; i < v.length; i++) {
          v[i] += (float) random.nextDouble(-0.05, 0.05);
        }
        h.graph.parameters().assign(h.session, d.key(), v);
      }
      before = h.teacherForced()[0];
      assertThat(LoraTestKit.maxAbsDiff(before, base)).isGreaterThan(1e-3);
      AdapterDirectory.save(adapter, NAME, section, method, h.graph.parameters(), h.session);
    }

    Map<String, Object> json = new ObjectMapper().readValue(adapter.resolve("adapter_config.json").toFile(),
        new TypeReference<Map<String, Object>>() {});
    assertThat(json).containsEntry("peft_type", "LORA").containsEntry("task_type", "SEQ_2_SEQ_LM")
        .containsEntry("r", 2).containsEntry("lora_alpha", 16).containsEntry("lora_dropout", 0.0)
        .containsEntry("bias", "none").containsEntry("fan_in_fan_out", false).containsEntry("inference_mode", true)
        .containsEntry("init_lora_weights", true).containsEntry("base_model_name_or_path", null)
        .containsEntry("revision", null).containsEntry("modules_to_save", List.of("layer_norm", "final_layer_norm"))
        .doesNotContainKeys("tfew_method", "use_rslora", "peft_version");
    String targets = (String) json.get("target_modules");
    assertThat("encoder.block.0.layer.0.SelfAttention.o").matches(targets);
    assertThat("decoder.block.2.layer.2.DenseReluDense.wi_1").matches(targets);
    assertThat("lm_head").doesNotMatch(targets);

    try (SafetensorsReader r = SafetensorsReader.open(adapter.resolve("adapter_model.safetensors"))) {
      assertThat(r.metadata()).containsEntry("format", "pt");
      assertThat(r.tensors().keySet()).allMatch(k -> k.startsWith("base_model.model.")
          && (k.endsWith(".lora_A.weight") || k.endsWith(".lora_B.weight") || k.endsWith("layer_norm.weight")));
      // PEFT's shapes: lora_A [r, in], lora_B [out, r]; t0-tiny d_model 48, d_ff 96.
      assertThat(r.tensors().get("base_model.model.decoder.block.1.layer.2.DenseReluDense.wo.lora_A.weight").shape())
          .containsExactly(2, 96);
      assertThat(r.tensors().get("base_model.model.decoder.block.1.layer.2.DenseReluDense.wo.lora_B.weight").shape())
          .containsExactly(48, 2);
      // Layer norms where PEFT saves modules_to_save: the module path plus the parameter name.
      assertThat(r.tensors()).containsKeys("base_model.model.encoder.block.1.layer.1.layer_norm.weight",
          "base_model.model.encoder.final_layer_norm.weight", "base_model.model.decoder.final_layer_norm.weight");
      // 2 x 4 attention + 3 FFN linears per encoder block, 4 x 2 + 3... : 2 enc x 7 + 3 dec x 11 modules,
      // two matrices each; norms: 2 x 2 + 1 encoder, 3 x 3 + 1 decoder.
      assertThat(r.tensors()).hasSize(2 * (2 * 7 + 3 * 11) + (2 * 2 + 1) + (3 * 3 + 1));
    }

    // A fresh method from the directory's own record; its values start elsewhere so the check shows the load.
    PeftMethod fresh = LoraTestKit.methodFor(rename(adapter, "lora"));
    try (ParityModel h = new ParityModel("t0-tiny", fresh)) {
      assertThat(LoraTestKit.maxAbsDiff(h.teacherForced()[0], base)).isLessThan(LoraTestKit.TOLERANCE);
      AdapterDirectory.load(adapter, NAME, fresh, h.graph.parameters(), h.session);
      assertThat(h.teacherForced()[0]).containsExactly(before);
    }

    // PEFT's reading of the same directory (no tfew record): same options, same logits.
    Files.delete(adapter.resolve(AdapterDirectory.TFEW_FILE));
    PeftMethod viaPeft = LoraTestKit.methodFor(adapter);
    LoraConfig c = ((LoraMethod) viaPeft).config();
    assertThat(c.r()).isEqualTo(2);
    assertThat(c.scaling()).isEqualTo(8.0);
    assertThat(c.trainLayerNorms()).isTrue();
    try (ParityModel h = new ParityModel("t0-tiny", viaPeft)) {
      AdapterDirectory.load(adapter, NAME, viaPeft, h.graph.parameters(), h.session);
      assertThat(h.teacherForced()[0]).containsExactly(before);
    }
  }

  @Test
  void anAdapterForOtherTargetsIsRefused() {
    try (var e = LoraTestKit.expected("t5-tiny")) {
      Path dir = LoraTestKit.writePeftAdapter(e, tmp.resolve("qv"));
      LoraMethod onlyQ = LoraTestKit.create(Map.of("target_modules", List.of(".*\\.q")));
      try (ParityModel h = new ParityModel("t5-tiny", onlyQ)) {
        assertThatThrownBy(() -> AdapterDirectory.load(dir, NAME, onlyQ, h.graph.parameters(), h.session))
            .isInstanceOf(TfewException.class).hasMessageContaining("SelfAttention.v.lora_A.weight")
            .hasMessageContaining("is not a parameter");
      }
      LoraMethod rank8 = LoraTestKit.create(Map.of("r", 8));
      try (ParityModel h = new ParityModel("t5-tiny", rank8)) {
        assertThatThrownBy(() -> AdapterDirectory.load(dir, NAME, rank8, h.graph.parameters(), h.session))
            .isInstanceOf(TfewException.class).hasMessageContaining("has shape [4, 32]");
      }
    }
  }

  /** A copy of the adapter whose {@code tfew_method} is {@code method} (ParityModel runs it as fixture0). */
  private Path rename(Path adapter, String method) throws IOException {
    Path copy = tmp.resolve("renamed");
    Files.createDirectories(copy);
    Files.copy(adapter.resolve("adapter_model.safetensors"), copy.resolve("adapter_model.safetensors"));
    Files.copy(adapter.resolve("adapter_config.json"), copy.resolve("adapter_config.json"));
    ObjectMapper m = new ObjectMapper();
    Map<String, Object> json = m.readValue(adapter.resolve("tfew_adapter.json").toFile(),
        new TypeReference<Map<String, Object>>() {});
    json.put("tfew_method", method);
    m.writeValue(copy.resolve("tfew_adapter.json").toFile(), json);
    return copy;
  }
}
