package io.tfew.peft.prompt;

import io.tfew.core.testing.TinyTraining;
import static io.tfew.peft.prompt.PromptTestKit.NAME;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tfew.api.config.ConfigException;
import io.tfew.api.peft.PeftMethod;
import io.tfew.core.checkpoint.Checkpoint;
import io.tfew.core.model.SiteRewrites;
import io.tfew.core.model.T5Config;
import io.tfew.core.optim.Adafactor;
import io.tfew.core.optim.LinearWarmupDecay;
import io.tfew.core.runtime.ModelGraph;
import io.tfew.core.score.EncodedExample;
import io.tfew.core.score.RankScorer;
import io.tfew.core.testing.ParityModel;
import io.tfew.core.testing.SharedFixtures;
import io.tfew.core.train.ExampleSource;
import io.tfew.core.train.Trainer;
import io.tfew.core.train.TrainingGraph;
import io.tfew.core.train.TrainingOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tensorflow.Session;
import org.tensorflow.types.TFloat32;

/** P-tuning on t0-tiny: its encoders train, the split template puts tokens after the real input, bad configs fail. */
class PTuningTest {
  private static final Path FIXTURE = SharedFixtures.path("fixtures/t5-parity/t0-tiny");

  /** Label = whether word w5 occurs in the input; choices w3 / w4. */
  static ExampleSource task(int rows) {
    SplittableRandom r = new SplittableRandom(11);
    List<EncodedExample> examples = new ArrayList<>();
    for (int i = 0; i < rows; i++) {
      int len = 4 + r.nextInt(4);
      int[] ids = new int[len];
      boolean positive = i % 2 == 0;
      for (int t = 0; t < len - 1; t++) {
        ids[t] = 10 + r.nextInt(100);
      }
      if (positive) {
        ids[r.nextInt(len - 1)] = 5;
      }
      ids[len - 1] = 1;
      examples.add(new EncodedExample(ids, List.of(new int[] {3, 1}, new int[] {4, 1}), positive ? 0 : 1, 0));
    }
    return ExampleSource.of(examples);
  }

  /** Trains {@code steps} Adafactor steps and returns the losses. */
  static List<Double> train(PeftMethod method, int steps) {
    List<Double> losses = new ArrayList<>();
    try (ModelGraph graph = new ModelGraph(T5Config.read(FIXTURE.resolve("config.json")),
        new SiteRewrites(List.of(new SiteRewrites.Active("prompt", method))), true, 1, 5L)) {
      TrainingGraph tg = TrainingGraph.build(graph, List.of(new TrainingGraph.WeightedLoss("nll", TinyTraining.GOLD_NLL, 1.0)),
          new Adafactor(), 1, 1.0);
      graph.rewrites().requireEveryMethodTouchedASite(graph.parameters());
      try (Session session = graph.startSession()) {
        try (Checkpoint c = Checkpoint.open(FIXTURE)) {
          graph.weights().load(session, c, n -> { });
        }
        graph.parameters().initializeFromBase(session);
        new Trainer(graph, session, tg, new TrainingOptions(steps, 4, 1, 0.05, 1000, 5L), new LinearWarmupDecay(0.06),
            task(16)).train(null, false, (step, l, norm, lr) -> losses.add(l));
      }
    }
    return losses;
  }

  static double mean(List<Double> xs) {
    return xs.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
  }

  @ParameterizedTest
  @ValueSource(strings = {"mlp", "lstm"})
  void encoderTrainsAndLossDecreases(String encoder) {
    List<Double> losses = train(PromptTestKit.create("p_tuning",
        Map.of("num_virtual_tokens", 4, "encoder_type", encoder, "encoder_hidden_size", 16)), 24);
    double first = mean(losses.subList(0, 4));
    double last = mean(losses.subList(20, 24));
    System.out.printf("p_tuning %s loss %.4f -> %.4f%n", encoder, first, last);
    assertThat(losses).allMatch(l -> Double.isFinite(l));
    assertThat(last).isLessThan(first);
  }

  @Test
  void lstmDeclaresPeftsPromptEncoderParameters() {
    try (ParityModel h = new ParityModel("t0-tiny", PromptTestKit.create("p_tuning",
        Map.of("num_virtual_tokens", 4, "encoder_type", "lstm", "encoder_hidden_size", 8)))) {
      var declared = h.graph.parameters().declaredBy(NAME);
      assertThat(declared.get("prompt_encoder.embedding.weight").shape()).containsExactly(4, 48);
      assertThat(declared.get("prompt_encoder.lstm_head.weight_ih_l0").shape()).containsExactly(32, 48);
      assertThat(declared.get("prompt_encoder.lstm_head.weight_ih_l1_reverse").shape()).containsExactly(32, 16);
      assertThat(declared.get("prompt_encoder.lstm_head.weight_hh_l1").shape()).containsExactly(32, 8);
      assertThat(declared.get("prompt_encoder.mlp_head.0.weight").shape()).containsExactly(16, 16);
      assertThat(declared.get("prompt_encoder.mlp_head.2.weight").shape()).containsExactly(48, 16);
      // 4*48 + 2 dirs x [(32*48 + 32*8 + 64) + (32*16 + 32*8 + 64)] + (16*16 + 16) + (48*16 + 48)
      assertThat(h.graph.parameters().count()).isEqualTo(192 + 2 * (1856 + 832) + 272 + 816);
    }
  }

  @Test
  void splitTemplateDiffersFromPrefixAndIgnoresBatchPadding() {
    Map<String, Object> base = Map.of("num_virtual_tokens", 4, "encoder_hidden_size", 16);
    try (ParityModel prefix = new ParityModel("t0-tiny", PromptTestKit.create("p_tuning", base));
        ParityModel split = new ParityModel("t0-tiny", PromptTestKit.create("p_tuning",
            merge(base, Map.of("template", "split"))))) {
      List<EncodedExample> examples = PromptTestKit.fixtureExamples(split.expected());
      // Same seed and keys: identical parameters, so only the placement differs.
      double[][] p = PromptTestKit.means(new RankScorer(prefix.session, prefix.rank, 0).scoreBatch(examples));
      RankScorer splitScorer = new RankScorer(split.session, split.rank, 0);
      double[][] s = PromptTestKit.means(splitScorer.scoreBatch(examples));
      assertThat(PromptTestKit.maxAbsDiff(p, s)).isGreaterThan(1e-3);
      // Each example alone has no padding; in the batch the shorter ones do. The second half goes right after
      // the real tokens, so padding changes nothing (it would if the half sat at the end of the padded row).
      double worst = 0;
      for (int i = 0; i < examples.size(); i++) {
        double[][] alone = PromptTestKit.means(splitScorer.scoreBatch(List.of(examples.get(i))));
        worst = Math.max(worst, PromptTestKit.maxAbsDiff(alone, new double[][] {s[i]}));
      }
      System.out.printf("split template: alone vs padded batch max abs difference %.3g%n", worst);
      assertThat(worst).isLessThan(1e-5);
    }
  }

  @Test
  void configErrorsNameTheKey() {
    assertThatThrownBy(() -> PromptTestKit.create("p_tuning", Map.of("encoder_type", "gru")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("encoder_type").hasMessageContaining("mlp or lstm");
    assertThatThrownBy(() -> PromptTestKit.create("p_tuning", Map.of("template", "suffix")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("template");
    assertThatThrownBy(() -> PromptTestKit.create("p_tuning", Map.of("template", "split", "num_virtual_tokens", 1)))
        .isInstanceOf(ConfigException.class).hasMessageContaining(">= 2");
    assertThatThrownBy(() -> PromptTestKit.create("p_tuning", Map.of("encoder_num_layers", 3)))
        .isInstanceOf(ConfigException.class).hasMessageContaining("encoder_num_layers");
    assertThatThrownBy(() -> PromptTestKit.create("p_tuning", Map.of("num_virtual_tokens", 0)))
        .isInstanceOf(ConfigException.class).hasMessageContaining("num_virtual_tokens");
    assertThatThrownBy(() -> PromptTestKit.create("p_tuning", Map.of("hidden", 3)))
        .isInstanceOf(ConfigException.class).hasMessageContaining("unknown key");
  }

  static Map<String, Object> merge(Map<String, Object> a, Map<String, Object> b) {
    Map<String, Object> m = new java.util.HashMap<>(a);
    m.putAll(b);
    return m;
  }
}
