package io.tfew.cli.endtoend;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tfew.core.adapter.AdapterDirectory;
import io.tfew.core.checkpoint.SafetensorsReader;
import io.tfew.core.model.T5Config;
import io.tfew.core.testing.RandomAdapters;
import io.tfew.core.testing.TinyTask;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code tfew adapter export} writes Hugging Face PEFT's layout (hf-peft-format.md sections 3.4, 3.6 and
 * 6): a P-tuning adapter becomes PEFT's P_TUNING file, the prompt encoder's output, which tfew reads back as
 * a fixed prompt table scoring every row as the P-tuning adapter did.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PeftExportTest {
  private final ObjectMapper json = new ObjectMapper();
  private Path dir;

  @BeforeAll
  void task(@TempDir Path tempDir) throws IOException {
    dir = tempDir;
    TinyTask.write(dir);
  }

  @ParameterizedTest
  @ValueSource(strings = {"mlp", "lstm"})
  void pTuningExportsAsPeftsPTuningAndScoresIdentically(String encoder) throws IOException {
    int n = 4;
    Path trained = RandomAdapters.write(dir.resolve("model"), "p_tuning",
        Map.of("num_virtual_tokens", n, "encoder_type", encoder, "encoder_hidden_size", 16), 5L,
        dir.resolve("p-" + encoder));
    Path exported = dir.resolve("p-" + encoder + "-peft");
    String said = TrainEndToEndTest.cli("adapter", "export", "--model", model(), "--adapter", trained.toString(),
        "--out", exported.toString());
    assertThat(said).contains("peft_type P_TUNING");

    int d = T5Config.read(dir.resolve("model/config.json")).dModel();
    Map<String, Object> config = json.readValue(exported.resolve(AdapterDirectory.CONFIG_FILE).toFile(),
        new TypeReference<Map<String, Object>>() {});
    assertThat(config).containsEntry("peft_type", "P_TUNING").containsEntry("task_type", "SEQ_2_SEQ_LM")
        .containsEntry("inference_mode", true).containsEntry("num_virtual_tokens", n).containsEntry("token_dim", d)
        .containsEntry("num_transformer_submodules", 2)
        .containsEntry("encoder_reparameterization_type", encoder.toUpperCase(java.util.Locale.ROOT))
        .containsEntry("encoder_hidden_size", 16).containsEntry("encoder_num_layers", 2)
        .containsKeys("num_attention_heads", "num_layers", "encoder_dropout", "base_model_name_or_path", "revision")
        .doesNotContainKeys("tfew_method", "peft_version", "modules_to_save");
    assertThat(exported.resolve(AdapterDirectory.TFEW_FILE)).doesNotExist();
    try (SafetensorsReader r = SafetensorsReader.open(exported.resolve(AdapterDirectory.WEIGHTS_FILE))) {
      assertThat(r.metadata()).containsEntry("format", "pt");
      assertThat(r.tensors().keySet()).containsExactly("prompt_embeddings");
      assertThat(r.tensors().get("prompt_embeddings").shape()).containsExactly(2L * n, d);
      float[] table = r.readFloats("prompt_embeddings");
      assertThat(Arrays.copyOfRange(table, n * d, 2 * n * d)).containsOnly(0f); // decoder rows PEFT never applies
      assertThat(Arrays.copyOfRange(table, 0, n * d)).as("the encoder's output").isNotEqualTo(new float[n * d]);
    }

    List<double[]> before = ScoredRows.of(TrainEndToEndTest.cli("score", "--model", model(), "--data", data(),
        "--adapter", trained.toString(), "--batch-size", "16"));
    List<double[]> after = ScoredRows.of(TrainEndToEndTest.cli("score", "--model", model(), "--data", data(),
        "--adapter", exported.toString(), "--batch-size", "16"));
    List<double[]> base = ScoredRows.of(TrainEndToEndTest.cli("score", "--model", model(), "--data", data(),
        "--batch-size", "16"));
    double worst = ScoredRows.maxAbsDiff(before, after);
    System.out.printf("p_tuning %s: export + import vs tfew adapter max abs difference %.3g (vs base model %.3g)%n",
        encoder, worst, ScoredRows.maxAbsDiff(before, base));
    assertThat(ScoredRows.maxAbsDiff(before, base)).as("the prompt changes the scores").isGreaterThan(1e-3);
    assertThat(worst).isLessThan(1e-5);
  }

  @Test
  void adaptersAlreadyInPeftsLayoutAreCopiedAndReloadIdentically() throws IOException {
    Path trained = RandomAdapters.write(dir.resolve("model"), "ia3", Map.of(), 6L, dir.resolve("ia3"));
    Path exported = dir.resolve("ia3-peft");
    assertThat(TrainEndToEndTest.cli("adapter", "export", "--model", model(), "--adapter", trained.toString(),
        "--out", exported.toString())).contains("peft_type IA3");
    assertThat(Files.readAllBytes(exported.resolve(AdapterDirectory.WEIGHTS_FILE)))
        .isEqualTo(Files.readAllBytes(trained.resolve(AdapterDirectory.WEIGHTS_FILE)));
    assertThat(ScoredRows.maxAbsDiff(
        ScoredRows.of(TrainEndToEndTest.cli("score", "--model", model(), "--data", data(), "--adapter", trained.toString())),
        ScoredRows.of(TrainEndToEndTest.cli("score", "--model", model(), "--data", data(), "--adapter", exported.toString()))))
        .isEqualTo(0.0);
  }

  @Test
  void methodsWithoutAFaithfulPeftFormAreRefusedWithTheReason() {
    Path prefix = RandomAdapters.write(dir.resolve("model"), "prefix_tuning", Map.of(), 7L, dir.resolve("prefix"));
    assertThat(ScoredRows.refusal("adapter", "export", "--model", model(), "--adapter", prefix.toString(),
        "--out", dir.resolve("prefix-peft").toString()))
        .contains("prefix_tuning has no Hugging Face PEFT form").contains("decoder self-attention");
    Path split = RandomAdapters.write(dir.resolve("model"), "p_tuning",
        Map.of("num_virtual_tokens", 4, "template", "split"), 8L, dir.resolve("split"));
    assertThat(ScoredRows.refusal("adapter", "export", "--model", model(), "--adapter", split.toString(),
        "--out", dir.resolve("split-peft").toString())).contains("template = split");
    Path bitfit = RandomAdapters.write(dir.resolve("model"), "bitfit", Map.of(), 9L, dir.resolve("bitfit"));
    assertThat(ScoredRows.refusal("adapter", "export", "--model", model(), "--adapter", bitfit.toString(),
        "--out", dir.resolve("bitfit-peft").toString())).contains("'bitfit' has no Hugging Face PEFT form");
    assertThat(dir.resolve("prefix-peft")).doesNotExist();
    Path pTuning = RandomAdapters.write(dir.resolve("model"), "p_tuning", Map.of("num_virtual_tokens", 2), 10L,
        dir.resolve("in-place"));
    assertThat(ScoredRows.refusal("adapter", "export", "--model", model(), "--adapter", pTuning.toString(),
        "--out", pTuning.toString())).contains("another directory");
    assertThat(pTuning.resolve(AdapterDirectory.TFEW_FILE)).exists();
  }

  private String model() {
    return dir.resolve("model").toString();
  }

  private String data() {
    return dir.resolve("eval.jsonl").toString();
  }
}
