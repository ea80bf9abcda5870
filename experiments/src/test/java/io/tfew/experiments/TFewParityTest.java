package io.tfew.experiments;

import static org.assertj.core.api.Assertions.assertThat;

import io.tfew.api.config.ConfigSection;
import io.tfew.api.peft.PeftMethodProvider;
import io.tfew.core.checkpoint.FloatTensor;
import io.tfew.core.checkpoint.SafetensorsWriter;
import io.tfew.core.plugin.PluginRegistry;
import io.tfew.core.testing.ExpectedTensors;
import io.tfew.core.testing.ParityModel;
import io.tfew.core.testing.SharedFixtures;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Gradients;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * The recipe's pieces as installed plugins, against the reference: the real (IA)^3 method (loaded
 * through its PEFT-format init file) with the real lm, unlikelihood and length_norm losses gives
 * the fixture's total loss and the gradient of LM+UL+LN with respect to every vector, to 1e-4.
 */
class TFewParityTest {
  @TempDir
  Path tmp;

  @ParameterizedTest
  @ValueSource(strings = {"t0-tiny", "t5-tiny"})
  void lossAndGradientsOfEveryIa3VectorMatchReference(String fixture) {
    PluginRegistry registry = PluginRegistry.discover();
    Path expectedFile = SharedFixtures.path("fixtures/t5-parity/" + fixture + "/expected.safetensors");
    List<String> modules = new ArrayList<>();
    Map<String, FloatTensor> vectors = new TreeMap<>();
    try (ExpectedTensors e = new ExpectedTensors(expectedFile)) {
      for (String name : e.names()) {
        if (name.startsWith("ia3.")) {
          String module = name.substring(4);
          modules.add(module);
          float[] v = e.floats(name);
          vectors.put("base_model.model." + module + ".ia3_l", new FloatTensor(new long[] {v.length, 1}, v));
        }
      }
    }
    Path init = tmp.resolve("adapter_model.safetensors");
    SafetensorsWriter.write(init, vectors, Map.of());
    PeftMethodProvider ia3 = registry.method("ia3", "test");
    var method = ia3.create(ConfigSection.validate("peft[0]", ia3.configFields(), Map.of("init", init.toString())));

    try (ParityModel p = new ParityModel(fixture, method)) {
      Ops tf = p.graph.ops();
      Operand<TFloat32> total = null;
      for (String loss : List.of("lm", "unlikelihood", "length_norm")) {
        var provider = registry.loss(loss, "test");
        Operand<TFloat32> term = provider.create(ConfigSection.defaults(loss, provider.configFields()))
            .build(tf.withSubScope(loss), p.rank.asChoiceLogProbs());
        total = total == null ? term : tf.math.add(total, term);
      }
      List<String> keys = new ArrayList<>();
      List<Operand<TFloat32>> variables = new ArrayList<>();
      for (String module : modules) {
        keys.add(module + ".ia3_l");
        variables.add(p.graph.parameters().declared().get(module + ".ia3_l").variable());
      }
      Gradients grads = tf.gradients(total, variables);
      try (TInt32 ids = p.ints("input_ids"); TFloat32 mask = p.floatsOfInts("attention_mask");
          TInt32 choices = p.ints("choices"); TFloat32 choiceMask = choiceMask(p);
          TInt32 labels = p.ints("choice_labels"); TInt32 tasks = p.zeroTasks()) {
        var runner = p.session.runner().feed(p.rank.inputIds, ids).feed(p.rank.inputMask, mask)
            .feed(p.rank.choiceIds, choices).feed(p.rank.choiceMask, choiceMask).feed(p.rank.labels, labels)
            .feed(p.rank.taskIds, tasks).fetch(total);
        for (int i = 0; i < variables.size(); i++) {
          runner.fetch(grads.dy(i));
        }
        try (Result r = runner.run()) {
          assertThat((double) ParityModel.read(r, 0)[0]).isCloseTo(p.expected.floats("ia3_loss_total")[0],
              org.assertj.core.data.Offset.offset(1e-4));
          for (int i = 0; i < modules.size(); i++) {
            float[] actual = ParityModel.read(r, i + 1);
            float[] expected = p.expected.floats("ia3_grad." + modules.get(i));
            assertThat(actual).as("gradient of " + keys.get(i)).hasSize(expected.length);
            for (int j = 0; j < expected.length; j++) {
              assertThat((double) actual[j]).as("gradient of " + keys.get(i) + "[" + j + "]")
                  .isCloseTo(expected[j], org.assertj.core.data.Offset.offset(1e-4));
            }
          }
        }
      }
    }
  }

  private static TFloat32 choiceMask(ParityModel p) {
    int[] choices = p.expected.ints("choices");
    float[] mask = new float[choices.length];
    for (int i = 0; i < choices.length; i++) {
      mask[i] = choices[i] != 0 ? 1f : 0f;
    }
    TFloat32 t = TFloat32.tensorOf(org.tensorflow.ndarray.Shape.of(p.expected.shape("choices")));
    t.asRawTensor().data().asFloats().write(mask);
    return t;
  }
}
