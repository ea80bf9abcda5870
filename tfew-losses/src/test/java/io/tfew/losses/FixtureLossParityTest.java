package io.tfew.losses;

import static org.assertj.core.api.Assertions.assertThat;

import io.tfew.api.config.ConfigSection;
import io.tfew.api.loss.ChoiceLogProbs;
import io.tfew.api.loss.LossProvider;
import io.tfew.api.model.FfnSite;
import io.tfew.api.model.LinearSite;
import io.tfew.api.model.ModelRewriter;
import io.tfew.api.model.ParameterInit;
import io.tfew.core.model.TrainableParameters;
import io.tfew.core.plugin.PluginRegistry;
import io.tfew.core.testing.ExpectedTensors;
import io.tfew.core.testing.ParityModel;
import io.tfew.core.testing.SharedFixtures;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * The losses, built by their providers on the rank-scoring graph of the tiny parity models, against
 * the independent PyTorch reference in fixtures/t5-parity ({@code loss_tfew_lm/ul/ln}), and
 * the gradient of LM + UL + LN with respect to (IA)^3 vectors against {@code ia3_grad.*}.
 */
class FixtureLossParityTest {
  private static final double TOLERANCE = 1e-4;

  @ParameterizedTest
  @ValueSource(strings = {"t0-tiny", "t5-tiny"})
  void lossesMatchTheReference(String fixture) {
    try (ParityModel h = new ParityModel(fixture)) {
      List<Operand<TFloat32>> losses = buildLosses(h);
      float[] actual = run(h, losses);
      String[] names = {"loss_tfew_lm", "loss_tfew_ul", "loss_tfew_ln"};
      for (int i = 0; i < names.length; i++) {
        double expected = h.expected().floats(names[i])[0];
        System.out.printf("%s %s: tfew %.7f reference %.7f abs error %.2e%n", fixture, names[i], actual[i],
            expected, Math.abs(actual[i] - expected));
        assertThat((double) actual[i]).as(fixture + " " + names[i]).isCloseTo(expected,
            org.assertj.core.data.Offset.offset(TOLERANCE));
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"t0-tiny", "t5-tiny"})
  void totalLossGradientWithRespectToIa3VectorsMatchesTheReference(String fixture) {
    try (ExpectedTensors e = new ExpectedTensors(
            SharedFixtures.path("fixtures/t5-parity/" + fixture + "/expected.safetensors"));
        ParityModel h = new ParityModel(fixture, ia3(e))) {
      Ops tf = h.graph.ops();
      List<Operand<TFloat32>> losses = buildLosses(h);
      Operand<TFloat32> total = tf.math.add(tf.math.add(losses.get(0), losses.get(1)), losses.get(2));
      List<String> keys = new ArrayList<>();
      List<Operand<TFloat32>> vectors = new ArrayList<>();
      for (Map.Entry<String, TrainableParameters.Declared> d : h.graph.parameters().declared().entrySet()) {
        keys.add(d.getKey());
        vectors.add(d.getValue().variable());
      }
      long fixtureVectors = e.names().stream().filter(n -> n.startsWith("ia3_grad.")).count();
      assertThat(keys).as("(IA)^3 vectors declared, one per ia3_grad.* tensor").hasSize((int) fixtureVectors);
      List<Operand<TFloat32>> fetches = new ArrayList<>();
      fetches.add(total);
      for (Operand<?> g : tf.gradients(total, vectors)) {
        assertThat(g).isNotNull();
        @SuppressWarnings("unchecked")
        Operand<TFloat32> gf = (Operand<TFloat32>) g;
        fetches.add(gf);
      }
      try (Result r = feedAndRun(h, fetches)) {
        double totalExpected = e.floats("ia3_loss_total")[0];
        double totalError = Math.abs(ParityModel.read(r, 0)[0] - totalExpected);
        double maxError = 0;
        double maxMagnitude = 0;
        for (int i = 0; i < keys.size(); i++) {
          // declared key "<module>.ia3_l" or "<ffn>.wo.ia3_l" <-> fixture "ia3_grad.<module>"
          String module = keys.get(i).substring(0, keys.get(i).length() - ".ia3_l".length());
          float[] expected = e.floats("ia3_grad." + module);
          float[] actual = ParityModel.read(r, i + 1);
          assertThat(actual).as(module).hasSize(expected.length);
          for (int j = 0; j < expected.length; j++) {
            maxError = Math.max(maxError, Math.abs(actual[j] - expected[j]));
            maxMagnitude = Math.max(maxMagnitude, Math.abs(expected[j]));
          }
        }
        System.out.printf("%s ia3_loss_total abs error %.2e; ia3_grad over %d vectors: max abs error %.2e"
            + " (max |grad| %.3f)%n", fixture, totalError, keys.size(), maxError, maxMagnitude);
        assertThat(totalError).as("ia3_loss_total").isLessThan(TOLERANCE);
        assertThat(maxError).as("ia3_grad max abs error").isLessThan(TOLERANCE * Math.max(1, maxMagnitude));
      }
    }
  }

  /** LM, UL and LN, in that order, each created by its provider with default options. */
  private static List<Operand<TFloat32>> buildLosses(ParityModel h) {
    Map<String, LossProvider> providers = PluginRegistry.discover().losses();
    Ops tf = h.graph.ops();
    ChoiceLogProbs batch = h.rank.asChoiceLogProbs();
    List<Operand<TFloat32>> out = new ArrayList<>();
    for (String name : List.of("lm", "unlikelihood", "length_norm")) {
      LossProvider p = providers.get(name);
      out.add(p.create(ConfigSection.defaults("losses." + name, p.configFields())).build(tf, batch));
    }
    return out;
  }

  private static float[] run(ParityModel h, List<Operand<TFloat32>> fetches) {
    try (Result r = feedAndRun(h, fetches)) {
      float[] out = new float[fetches.size()];
      for (int i = 0; i < out.length; i++) {
        out[i] = ParityModel.read(r, i)[0];
      }
      return out;
    }
  }

  /** Feeds the fixture's rank-classification batch: choices masked where the id is the pad id 0. */
  private static Result feedAndRun(ParityModel h, List<Operand<TFloat32>> fetches) {
    ExpectedTensors e = h.expected();
    int[] choices = e.ints("choices");
    float[] choiceMask = new float[choices.length];
    for (int i = 0; i < choices.length; i++) {
      choiceMask[i] = choices[i] != 0 ? 1f : 0f;
    }
    try (TInt32 ids = h.ints("input_ids"); TFloat32 mask = h.floatsOfInts("attention_mask");
        TInt32 choiceIds = h.ints("choices"); TInt32 labels = h.ints("choice_labels");
        TInt32 tasks = h.zeroTasks();
        TFloat32 cm = TFloat32.tensorOf(Shape.of(e.shape("choices")))) {
      cm.asRawTensor().data().asFloats().write(choiceMask);
      Session.Runner runner = h.session.runner().feed(h.rank.inputIds, ids).feed(h.rank.inputMask, mask)
          .feed(h.rank.choiceIds, choiceIds).feed(h.rank.choiceMask, cm).feed(h.rank.taskIds, tasks)
          .feed(h.rank.labels, labels);
      fetches.forEach(runner::fetch);
      return runner.run();
    }
  }

  /**
   * (IA)^3 with the fixture's vectors: {@code ia3.<module>} scales the k/v outputs and the FFN activation
   * that feeds {@code wo}, as the fixture README describes. A test-local copy of the fixture rewriter in
   * core's tests, which is package-private there.
   */
  private static ModelRewriter ia3(ExpectedTensors expected) {
    return new ModelRewriter() {
      @Override
      public Operand<TFloat32> linearOutput(LinearSite site, Operand<TFloat32> input, Operand<TFloat32> output) {
        String key = "ia3." + site.path();
        if (site.path().endsWith(".wo") || !expected.names().contains(key)) {
          return output;
        }
        return site.context().tf().math.mul(output, site.context().parameters().trainable(site.path() + ".ia3_l",
            Shape.of(site.outFeatures()), ParameterInit.of(expected.floats(key))));
      }

      @Override
      public Operand<TFloat32> ffnActivation(FfnSite site, Operand<TFloat32> activation) {
        String key = "ia3." + site.path() + ".wo";
        return site.context().tf().math.mul(activation, site.context().parameters().trainable(
            site.path() + ".wo.ia3_l", Shape.of(site.width()), ParameterInit.of(expected.floats(key))));
      }
    };
  }
}
