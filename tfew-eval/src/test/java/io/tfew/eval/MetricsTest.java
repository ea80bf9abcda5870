package io.tfew.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import io.tfew.api.config.ConfigSection;
import io.tfew.api.eval.EvaluatorProvider;
import io.tfew.api.eval.ScoredExample;
import io.tfew.core.plugin.PluginRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** accuracy and macro_f1 on hand-made predictions, and their discovery through ServiceLoader. */
class MetricsTest {

  @Test
  void coreDiscoversBothMetricsByName() {
    Map<String, EvaluatorProvider> evaluators = PluginRegistry.discover().evaluators();
    assertThat(evaluators.get("accuracy")).isInstanceOf(AccuracyProvider.class);
    assertThat(evaluators.get("macro_f1")).isInstanceOf(MacroF1Provider.class);
    for (EvaluatorProvider p : List.of(evaluators.get("accuracy"), evaluators.get("macro_f1"))) {
      assertThat(p.configFields()).isEmpty();
      assertThat(p.create(ConfigSection.defaults("eval." + p.name(), p.configFields()))).isNotNull();
    }
  }

  @Test
  void accuracySkipsUnlabelledExamples() {
    // labelled: (0, 0) right, (1, 0) wrong, (2, 2) right, (1, 1) right -> 3 / 4
    List<ScoredExample> examples = examples(new int[] {0, 1, 2, 1, -1, -1}, new int[] {0, 0, 2, 1, 1, 2});
    assertThat(new Accuracy().evaluate(examples)).containsExactly(Map.entry("accuracy", 0.75));
  }

  @Test
  void macroF1AveragesPerClassF1OverLabelsAndPredictions() {
    // y_true [0, 0, 1, 1, 2], y_pred [0, 1, 1, 1, 0]; the unlabelled last example does not count.
    // class 0: TP 1, FP 1, FN 1 -> 2/4; class 1: TP 2, FP 1, FN 0 -> 4/5; class 2: TP 0, FN 1 -> 0.
    // sklearn.metrics.f1_score([0, 0, 1, 1, 2], [0, 1, 1, 1, 0], average='macro') = 1.3 / 3
    List<ScoredExample> examples = examples(new int[] {0, 0, 1, 1, 2, -1}, new int[] {0, 1, 1, 1, 0, 2});
    assertThat(new MacroF1().evaluate(examples).get("macro_f1")).isCloseTo(1.3 / 3, offset(1e-12));
  }

  @Test
  void macroF1CountsAClassThatIsOnlyPredictedButNotAnUnusedChoice() {
    // y_true [0, 0, 1], y_pred [0, 2, 1], 4 choices: class 0 -> 2/3, class 1 -> 1, class 2 (predicted
    // only) -> 0; class 3 occurs nowhere and is not averaged in: (2/3 + 1 + 0) / 3.
    List<ScoredExample> examples = examples(new int[] {0, 0, 1}, new int[] {0, 2, 1});
    assertThat(new MacroF1().evaluate(examples).get("macro_f1")).isCloseTo((2.0 / 3 + 1) / 3, offset(1e-12));
  }

  @Test
  void perfectPredictionsScoreOneAndNoLabelsGiveNan() {
    List<ScoredExample> perfect = examples(new int[] {1, 0, 1}, new int[] {1, 0, 1});
    assertThat(new MacroF1().evaluate(perfect).get("macro_f1")).isEqualTo(1.0);
    assertThat(new Accuracy().evaluate(perfect).get("accuracy")).isEqualTo(1.0);
    List<ScoredExample> unlabelled = examples(new int[] {-1, -1}, new int[] {0, 1});
    assertThat(new MacroF1().evaluate(unlabelled).get("macro_f1")).isNaN();
    assertThat(new Accuracy().evaluate(unlabelled).get("accuracy")).isNaN();
    assertThat(new Accuracy().evaluate(List.of()).get("accuracy")).isNaN();
  }

  /** Four-choice examples; label -1 means unlabelled. Scores put the maximum at the prediction. */
  private static List<ScoredExample> examples(int[] labels, int[] predictions) {
    List<ScoredExample> out = new ArrayList<>();
    for (int i = 0; i < labels.length; i++) {
      double[] scores = {-3, -3, -3, -3};
      scores[predictions[i]] = -1;
      out.add(new ScoredExample(scores, predictions[i],
          labels[i] < 0 ? OptionalInt.empty() : OptionalInt.of(labels[i]), Optional.empty()));
    }
    return out;
  }
}
