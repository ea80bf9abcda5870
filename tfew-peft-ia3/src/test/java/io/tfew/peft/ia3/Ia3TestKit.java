package io.tfew.peft.ia3;

import io.tfew.api.config.ConfigSection;
import io.tfew.api.peft.PeftMethod;
import io.tfew.api.peft.PeftMethodProvider;
import io.tfew.core.checkpoint.FloatTensor;
import io.tfew.core.checkpoint.SafetensorsWriter;
import io.tfew.core.plugin.PluginRegistry;
import io.tfew.core.score.ChoiceScores;
import io.tfew.core.score.EncodedExample;
import io.tfew.core.testing.ExpectedTensors;
import io.tfew.core.testing.SharedFixtures;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Shared helpers: the provider as core discovers it, fixture vectors as a PEFT file, fixture examples. */
final class Ia3TestKit {
  static final double TOLERANCE = 1e-4;

  private Ia3TestKit() {}

  /** The provider found through ServiceLoader, as YAML would select it. */
  static PeftMethodProvider provider() {
    return PluginRegistry.discover().method("ia3", "test: peft.method");
  }

  static ConfigSection section(Map<String, ?> raw) {
    return ConfigSection.validate("test: peft", provider().configFields(), raw);
  }

  static PeftMethod create(Map<String, ?> raw) {
    return provider().create(section(raw));
  }

  static ExpectedTensors expected(String fixture) {
    return new ExpectedTensors(SharedFixtures.path("fixtures/t5-parity/" + fixture + "/expected.safetensors"));
  }

  /** The fixture's module names that carry an (IA)^3 vector ({@code ia3.<module>}). */
  static List<String> ia3Modules(ExpectedTensors e) {
    return e.names().stream().filter(n -> n.startsWith("ia3.")).map(n -> n.substring(4)).sorted().toList();
  }

  /**
   * Writes the fixture's vectors as PEFT would: {@code base_model.model.<module>.ia3_l}, {@code [n, 1]} for
   * outputs, {@code [1, n]} for wo (a feed-forward module, input scaled).
   */
  static Path writePeftVectors(ExpectedTensors e, Path file) {
    Map<String, FloatTensor> tensors = new TreeMap<>();
    for (String module : ia3Modules(e)) {
      float[] v = e.floats("ia3." + module);
      long[] shape = module.endsWith(".wo") ? new long[] {1, v.length} : new long[] {v.length, 1};
      tensors.put("base_model.model." + module + ".ia3_l", new FloatTensor(shape, v));
    }
    SafetensorsWriter.write(file, tensors, Map.of("format", "pt"));
    return file;
  }

  static List<EncodedExample> fixtureExamples(ExpectedTensors e) {
    int[][] ids = e.intRows("input_ids");
    int[][] mask = e.intRows("attention_mask");
    long[] cs = e.shape("choices");
    int[] choices = e.ints("choices");
    int[] labels = e.ints("choice_labels");
    List<EncodedExample> out = new ArrayList<>();
    for (int b = 0; b < cs[0]; b++) {
      int len = Arrays.stream(mask[b]).sum();
      List<int[]> cl = new ArrayList<>();
      for (int c = 0; c < cs[1]; c++) {
        int base = (int) ((b * cs[1] + c) * cs[2]);
        int n = 0;
        while (n < cs[2] && choices[base + n] != 0) {
          n++;
        }
        cl.add(Arrays.copyOfRange(choices, base, base + n));
      }
      out.add(new EncodedExample(Arrays.copyOf(ids[b], len), cl, labels[b], 0));
    }
    return out;
  }

  static float[] means(List<ChoiceScores> scores) {
    int c = scores.get(0).mean().length;
    float[] out = new float[scores.size() * c];
    for (int b = 0; b < scores.size(); b++) {
      for (int i = 0; i < c; i++) {
        out[b * c + i] = (float) scores.get(b).mean()[i];
      }
    }
    return out;
  }

  static double maxAbsDiff(float[] a, float[] b) {
    if (a.length != b.length) {
      throw new AssertionError("lengths differ: " + a.length + " vs " + b.length);
    }
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
    }
    return max;
  }
}
