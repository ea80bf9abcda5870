package io.tfew.peft.lora;

import static io.tfew.peft.lora.LoraTestKit.NAME;
import static io.tfew.peft.lora.LoraTestKit.TOLERANCE;
import static org.assertj.core.api.Assertions.assertThat;

import io.tfew.api.peft.PeftMethod;
import io.tfew.core.adapter.AdapterDirectory;
import io.tfew.core.model.TrainableParameters;
import io.tfew.core.testing.ExpectedTensors;
import io.tfew.core.testing.ParityModel;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The plugin against the PyTorch reference of fixtures/t5-parity: the fixture's {@code lora_A},
 * {@code lora_B} (q and v of every attention, r 4, scaling 8 / 4 = 2), written as a PEFT adapter directory
 * and loaded through core's {@link AdapterDirectory}, give {@code lora_logits}; merged into the weights they
 * give the same logits; at init (B = 0) the logits are the base model's.
 */
class LoraParityTest {
  @TempDir
  Path tmp;

  @ParameterizedTest
  @ValueSource(strings = {"t0-tiny", "t5-tiny"})
  void fixtureMatricesFromAPeftAdapterReproduceTheReferenceLogits(String fixture) {
    try (ExpectedTensors e = LoraTestKit.expected(fixture)) {
      Path dir = LoraTestKit.writePeftAdapter(e, tmp.resolve("peft"));
      PeftMethod method = LoraTestKit.methodFor(dir);
      assertThat(method).isInstanceOf(LoraMethod.class);
      assertThat(((LoraMethod) method).config().scaling()).isEqualTo(2.0);
      try (ParityModel h = new ParityModel(fixture, method)) {
        AdapterDirectory.load(dir, NAME, method, h.graph.parameters(), h.session);
        assertThat(((LoraMethod) method).modules()).containsExactlyInAnyOrderElementsOf(LoraTestKit.loraModules(e));
        double err = LoraTestKit.maxAbsDiff(h.teacherForced()[0], e.floats("lora_logits"));
        System.out.printf("%s lora_logits max abs error %.3g%n", fixture, err);
        assertThat(err).as("lora_logits max abs error").isLessThan(TOLERANCE);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"t0-tiny", "t5-tiny"})
  void mergedWeightsGiveTheUnmergedLogits(String fixture) {
    try (ExpectedTensors e = LoraTestKit.expected(fixture)) {
      Path dir = LoraTestKit.writePeftAdapter(e, tmp.resolve("peft"));
      float[] unmerged;
      try (ParityModel h = new ParityModel(fixture, LoraTestKit.methodFor(dir))) {
        AdapterDirectory.load(dir, NAME, (PeftMethod) h.graph.rewrites().rewriter(NAME), h.graph.parameters(),
            h.session);
        unmerged = h.teacherForced()[0];
      }
      // The same adapter, merged: W' = W + 2 B A at every q and v; the file loads unchanged.
      LoraMethod merged = LoraTestKit.create(Map.of("merge", true, "target_modules",
          java.util.List.of("(.*\\.)?q", "(.*\\.)?v")));
      try (ParityModel h = new ParityModel(fixture, merged)) {
        AdapterDirectory.load(dir, NAME, merged, h.graph.parameters(), h.session);
        // Merged sites are rewritten at the weight; the outputs are left alone.
        assertThat(h.graph.rewrites().touched().get(NAME)).hasSize(LoraTestKit.loraModules(e).size());
        float[] logits = h.teacherForced()[0];
        double err = LoraTestKit.maxAbsDiff(logits, unmerged);
        System.out.printf("%s merged vs unmerged logits max abs difference %.3g (vs reference %.3g)%n", fixture, err,
            LoraTestKit.maxAbsDiff(logits, e.floats("lora_logits")));
        assertThat(err).isLessThan(1e-5);
        assertThat(LoraTestKit.maxAbsDiff(logits, e.floats("lora_logits"))).isLessThan(TOLERANCE);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"t0-tiny", "t5-tiny"})
  void atInitBIsZeroAndTheModelIsUnchanged(String fixture) {
    LoraMethod method = LoraTestKit.create(Map.of());
    try (ParityModel h = new ParityModel(fixture, method)) {
      Map<String, TrainableParameters.Declared> declared = h.graph.parameters().declaredBy(NAME);
      int d = h.graph.config().dims().dModel();
      int inner = h.graph.config().dims().numHeads() * h.graph.config().dims().dKv();
      assertThat(declared).hasSize(2 * method.modules().size());
      for (TrainableParameters.Declared p : declared.values()) {
        float[] v = h.graph.parameters().read(h.session, p.key());
        if (p.key().endsWith(".lora_B.weight")) {
          assertThat(p.shape()).containsExactly(inner, 4);
          assertThat(v).containsOnly(0f);
        } else {
          assertThat(p.key()).endsWith(".lora_A.weight");
          assertThat(p.shape()).containsExactly(4, d);
          // PEFT's kaiming_uniform_(a = sqrt(5)): U(-1/sqrt(in), 1/sqrt(in)).
          double bound = 1 / Math.sqrt(d);
          double max = 0;
          for (float x : v) {
            max = Math.max(max, Math.abs(x));
          }
          assertThat(max).isLessThanOrEqualTo(bound).isGreaterThan(bound * 0.5);
        }
      }
      double err = LoraTestKit.maxAbsDiff(h.teacherForced()[0], h.expected().floats("logits"));
      System.out.printf("%s lora-at-init logits max abs error %.3g%n", fixture, err);
      assertThat(err).as("logits max abs error").isLessThan(TOLERANCE);
    }
  }
}
