package io.tfew.peft.ia3;

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
import io.tfew.core.testing.SharedFixtures;
import java.nio.file.Path;
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
    return FixtureBatch.examples(e);
  }

  static float[] means(List<ChoiceScores> scores) {
    return FixtureBatch.means(scores);
  }

  static double maxAbsDiff(float[] a, float[] b) {
    return FixtureBatch.maxAbsDiff(a, b);
  }
}
