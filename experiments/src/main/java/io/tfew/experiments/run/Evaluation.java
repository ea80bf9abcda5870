package io.tfew.experiments.run;

import io.tfew.api.eval.Evaluator;
import io.tfew.api.eval.ScoredExample;
import io.tfew.core.score.ChoiceScores;
import io.tfew.core.score.EncodedExample;
import io.tfew.core.score.LengthNorm;
import io.tfew.core.score.RankScorer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.IntConsumer;

/** Rank classification of an evaluation set followed by the configured metrics. */
public final class Evaluation {
  /** Scored examples and the metrics computed from them. */
  public record Result(List<ScoredExample> examples, Map<String, Double> metrics) {}

  private Evaluation() {}

  public static Result run(RankScorer scorer, List<EncodedExample> examples, int batchSize, LengthNorm norm,
      Map<String, Evaluator> evaluators, IntConsumer progress) {
    List<ChoiceScores> scores = scorer.score(examples, batchSize, progress);
    List<ScoredExample> scored = new ArrayList<>(examples.size());
    for (int i = 0; i < examples.size(); i++) {
      EncodedExample e = examples.get(i);
      ChoiceScores s = scores.get(i);
      scored.add(new ScoredExample(s.scores(norm), s.prediction(norm),
          e.label() >= 0 ? OptionalInt.of(e.label()) : OptionalInt.empty(), Optional.empty()));
    }
    Map<String, Double> metrics = new LinkedHashMap<>();
    for (Map.Entry<String, Evaluator> ev : evaluators.entrySet()) {
      Map<String, Double> values = ev.getValue().evaluate(scored);
      metrics.putAll(values);
    }
    return new Result(scored, metrics);
  }
}
