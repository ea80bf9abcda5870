package io.tfew.example.scaleq;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tfew.cli.TfewCli;
import io.tfew.core.checkpoint.Checkpoint;
import io.tfew.core.checkpoint.FloatTensor;
import io.tfew.core.checkpoint.SafetensorsWriter;
import io.tfew.core.plugin.PluginRegistry;
import io.tfew.testkit.PluginTestKit;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A plugin compiled against tfew-api alone is found by core through ServiceLoader and applied through
 * the CLI, with no change to core. Its effect is checked independently: multiplying every query's
 * output by c is the same model as multiplying every {@code q.weight} by c in the checkpoint.
 */
class ScaleQueryPluginTest {
  @TempDir
  Path tmp;
  /** The test kit's tiny random T5 (word-level vocabulary w3..w63). */
  private Path model;
  private Path data;

  @BeforeEach
  void tinyModelAndRows() throws IOException {
    try (PluginTestKit kit = PluginTestKit.forMethod("scale_q", tmp.resolve("kit"))) {
      model = kit.tinyModel();
    }
    data = tmp.resolve("rank.jsonl");
    Files.writeString(data, """
        {"input": "w10 w5 w22 w31", "choices": ["w3 w7", "w4 w8"], "label": 0}
        {"input": "w12 w40 w41", "choices": ["w3 w7", "w4 w8", "w9"], "label": 1}
        {"input": "w5 w5 w18 w27 w36 w45", "choices": ["w3", "w4 w8 w11"], "label": 0}
        """);
  }

  @Test
  void coreDiscoversThePluginByName() {
    PluginRegistry registry = PluginRegistry.discover();
    assertThat(registry.methods()).containsKey("scale_q");
    assertThat(registry.method("scale_q", "test")).isInstanceOf(ScaleQueryProvider.class);
  }

  @Test
  void theCliAppliesThePluginFromAnAdapterDirectory() throws IOException {
    Path scaledModel = copyWithQueryWeightsScaled(3.0f);
    Path adapter = adapterDir(3.0);

    List<double[]> viaPlugin = scores("--model", model.toString(), "--adapter", adapter.toString());
    List<double[]> viaWeights = scores("--model", scaledModel.toString());
    List<double[]> base = scores("--model", model.toString());

    for (int i = 0; i < base.size(); i++) {
      assertThat(viaPlugin.get(i)).containsExactly(viaWeights.get(i), org.assertj.core.data.Offset.offset(1e-4));
    }
    assertThat(maxDiff(viaPlugin, base)).as("the plugin must change the scores").isGreaterThan(1e-3);
  }

  @Test
  void pluginsCommandListsTheExampleWithItsKeys() {
    StringWriter out = new StringWriter();
    int status = TfewCli.run(new String[] {"plugins"}, new PrintWriter(out), new PrintWriter(new StringWriter()));
    assertThat(status).isZero();
    assertThat(out.toString()).contains("scale_q").contains("factor");
  }

  @Test
  void anInvalidOptionInTheAdapterConfigIsAUsageError() throws IOException {
    Path adapter = tmp.resolve("bad");
    Files.createDirectories(adapter);
    Files.writeString(adapter.resolve("adapter_config.json"),
        "{\"tfew_method\": \"scale_q\", \"tfew_config\": {\"factr\": 2.0}}");
    StringWriter err = new StringWriter();
    int status = TfewCli.run(new String[] {"score", "--model", model.toString(), "--data",
        data.toString(), "--adapter", adapter.toString()},
        new PrintWriter(new StringWriter()), new PrintWriter(err));
    assertThat(status).isEqualTo(2);
    assertThat(err.toString()).contains("factr").contains("factor");
  }

  private Path adapterDir(double factor) throws IOException {
    Path dir = tmp.resolve("adapter");
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("adapter_config.json"),
        "{\"tfew_method\": \"scale_q\", \"tfew_config\": {\"factor\": " + factor + "}}");
    SafetensorsWriter.write(dir.resolve("adapter_model.safetensors"), Map.of(), Map.of());
    return dir;
  }

  private Path copyWithQueryWeightsScaled(float factor) throws IOException {
    Path dir = tmp.resolve("scaled");
    Files.createDirectories(dir);
    for (String f : List.of("config.json", "tokenizer.json")) {
      Files.copy(model.resolve(f), dir.resolve(f));
    }
    Map<String, FloatTensor> tensors = new TreeMap<>();
    try (Checkpoint c = Checkpoint.open(model)) {
      for (String name : c.tensorNames()) {
        float[] v = c.readFloats(name);
        if (name.endsWith("Attention.q.weight")) {
          for (int i = 0; i < v.length; i++) {
            v[i] *= factor;
          }
        }
        tensors.put(name, new FloatTensor(c.info(name).shape(), v));
      }
    }
    SafetensorsWriter.write(dir.resolve("model.safetensors"), tensors, Map.of());
    return dir;
  }

  private List<double[]> scores(String... modelArgs) throws IOException {
    List<String> args = new ArrayList<>(List.of("score", "--data", data.toString()));
    args.addAll(List.of(modelArgs));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status = TfewCli.run(args.toArray(String[]::new), new PrintWriter(out), new PrintWriter(err));
    assertThat(status).as(err.toString()).isZero();
    List<double[]> rows = new ArrayList<>();
    ObjectMapper json = new ObjectMapper();
    for (String line : out.toString().split("\n")) {
      if (line.startsWith("{")) {
        rows.add(json.treeToValue(json.readTree(line).get("scores"), double[].class));
      }
    }
    assertThat(rows).hasSize(3);
    return rows;
  }

  private static double maxDiff(List<double[]> a, List<double[]> b) {
    double max = 0;
    for (int i = 0; i < a.size(); i++) {
      for (int j = 0; j < a.get(i).length; j++) {
        max = Math.max(max, Math.abs(a.get(i)[j] - b.get(i)[j]));
      }
    }
    return max;
  }
}
