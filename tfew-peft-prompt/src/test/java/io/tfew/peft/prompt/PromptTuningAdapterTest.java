package io.tfew.peft.prompt;

import static io.tfew.peft.prompt.PromptTestKit.NAME;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tfew.api.config.ConfigSection;
import io.tfew.api.peft.PeftMethod;
import io.tfew.core.adapter.AdapterDirectory;
import io.tfew.core.checkpoint.SafetensorsReader;
import io.tfew.core.plugin.PluginRegistry;
import io.tfew.core.testing.ParityModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A trained-looking prompt saved through core's {@link AdapterDirectory} and loaded back. */
class PromptTuningAdapterTest {
  @TempDir
  Path tmp;

  @Test
  void roundTripIsIdenticalAndTheFileIsPefts() throws IOException {
    Path adapter = tmp.resolve("adapter");
    ConfigSection section = PromptTestKit.section("prompt_tuning",
        Map.of("num_virtual_tokens", 5, "decoder", true, "init", "vocab"));
    PeftMethod method = PromptTestKit.provider("prompt_tuning").create(section);
    float[] before;
    float[] values;
    try (ParityModel h = new ParityModel("t0-tiny", method)) {
      values = h.graph.parameters().read(h.session, "prompt_embeddings");
      before = h.teacherForced()[0];
      AdapterDirectory.save(adapter, NAME, section, method, h.graph.parameters(), h.session);
    }
    Map<String, Object> json = new ObjectMapper().readValue(adapter.resolve("adapter_config.json").toFile(),
        new TypeReference<Map<String, Object>>() {});
    assertThat(json).containsEntry("peft_type", "PROMPT_TUNING").containsEntry("task_type", "SEQ_2_SEQ_LM")
        .containsEntry("num_virtual_tokens", 5).containsEntry("num_transformer_submodules", 2)
        .containsEntry("token_dim", 48).containsEntry("num_attention_heads", 4).containsEntry("num_layers", 2)
        .containsEntry("prompt_tuning_init", "RANDOM").containsEntry("inference_mode", true)
        .doesNotContainKeys("tfew_method", "peft_version", "tokenizer_kwargs");
    try (SafetensorsReader r = SafetensorsReader.open(adapter.resolve("adapter_model.safetensors"))) {
      assertThat(r.metadata()).containsEntry("format", "pt");
      assertThat(r.tensors().keySet()).containsExactly("prompt_embeddings");
      assertThat(r.tensors().get("prompt_embeddings").shape()).containsExactly(10, 48); // encoder rows, decoder rows
      assertThat(r.readFloats("prompt_embeddings")).containsExactly(values);
    }

    // ParityModel ran the method as fixture0; the adapter names it by that, so point it at the provider's name.
    ObjectMapper m = new ObjectMapper();
    Path tfew = adapter.resolve(AdapterDirectory.TFEW_FILE);
    Map<String, Object> record = m.readValue(tfew.toFile(), new TypeReference<Map<String, Object>>() {});
    assertThat(record).containsEntry("tfew_method", NAME);
    record.put("tfew_method", "prompt_tuning");
    m.writeValue(tfew.toFile(), record);
    AdapterDirectory.Spec spec = AdapterDirectory.read(adapter, PluginRegistry.discover());
    assertThat(spec.methodConfig()).containsEntry("decoder", true).containsEntry("init", "vocab");
    PeftMethod fresh = spec.provider().create(
        ConfigSection.validate("adapter", spec.provider().configFields(), spec.methodConfig()));
    try (ParityModel h = new ParityModel("t0-tiny", fresh)) {
      h.graph.parameters().assign(h.session, "prompt_embeddings", new float[values.length]);
      AdapterDirectory.load(adapter, NAME, fresh, h.graph.parameters(), h.session);
      assertThat(h.teacherForced()[0]).containsExactly(before);
    }
  }
}
