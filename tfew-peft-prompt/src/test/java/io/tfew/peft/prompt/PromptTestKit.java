package io.tfew.peft.prompt;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tfew.api.config.ConfigSection;
import io.tfew.api.peft.PeftMethod;
import io.tfew.api.peft.PeftMethodProvider;
import io.tfew.core.checkpoint.FloatTensor;
import io.tfew.core.checkpoint.SafetensorsWriter;
import io.tfew.core.plugin.PluginRegistry;
import io.tfew.core.score.ChoiceScores;
import io.tfew.core.score.EncodedExample;
import io.tfew.core.testing.FixtureBatch;
import io.tfew.core.testing.ExpectedTensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Shared helpers: providers as core discovers them, PEFT-written prompt directories, fixture examples. */
final class PromptTestKit {
  static final double TOLERANCE = 1e-4;
  static final String NAME = "fixture0"; // what ParityModel calls its first rewriter

  private PromptTestKit() {}

  static PeftMethodProvider provider(String name) {
    return PluginRegistry.discover().method(name, "test: peft.method");
  }

  static ConfigSection section(String name, Map<String, ?> raw) {
    return ConfigSection.validate("test: peft", provider(name).configFields(), raw);
  }

  static PeftMethod create(String name, Map<String, ?> raw) {
    return provider(name).create(section(name, raw));
  }

  /** A directory as PEFT's {@code save_pretrained} writes a PROMPT_TUNING adapter. */
  static Path peftPromptDirectory(Path dir, float[] rows, long[] shape, int numVirtualTokens, int submodules)
      throws IOException {
    Files.createDirectories(dir);
    SafetensorsWriter.write(dir.resolve("adapter_model.safetensors"),
        Map.of("prompt_embeddings", new FloatTensor(shape, rows)), Map.of("format", "pt"));
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("peft_type", "PROMPT_TUNING");
    json.put("task_type", "SEQ_2_SEQ_LM");
    json.put("base_model_name_or_path", "t0-tiny");
    json.put("inference_mode", true);
    json.put("num_virtual_tokens", numVirtualTokens);
    json.put("num_transformer_submodules", submodules);
    json.put("token_dim", (int) shape[1]);
    json.put("prompt_tuning_init", "RANDOM");
    json.put("peft_version", "0.20.0");
    new ObjectMapper().writeValue(dir.resolve("adapter_config.json").toFile(), json);
    return dir;
  }

  static List<EncodedExample> fixtureExamples(ExpectedTensors e) {
    return FixtureBatch.examples(e);
  }

  static List<EncodedExample> withTasks(List<EncodedExample> examples, int... tasks) {
    List<EncodedExample> out = new ArrayList<>();
    for (int i = 0; i < examples.size(); i++) {
      EncodedExample x = examples.get(i);
      out.add(new EncodedExample(x.inputIds(), x.choiceIds(), x.label(), tasks[i]));
    }
    return out;
  }

  static double[][] means(List<ChoiceScores> scores) {
    return scores.stream().map(ChoiceScores::mean).toArray(double[][]::new);
  }

  static double maxAbsDiff(float[] a, float[] b) {
    return FixtureBatch.maxAbsDiff(a, b);
  }

  static double maxAbsDiff(double[][] a, double[][] b) {
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      for (int j = 0; j < a[i].length; j++) {
        max = Math.max(max, Math.abs(a[i][j] - b[i][j]));
      }
    }
    return max;
  }
}
