package io.tfew.core.score;

import io.tfew.api.TfewException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.IntConsumer;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.types.TFloat32;

/**
 * Runs {@link RankScoringGraph} over examples, one session call per batch.
 *
 * <pre>{@code
 * RankScorer scorer = new RankScorer(session, scoringGraph, config.padTokenId());
 * List<ChoiceScores> scores = scorer.score(ExampleEncoder.encodeAll(rows, tokenizer), 32, done -> { });
 * int prediction = scores.get(0).prediction(LengthNorm.MEAN);   // T-Few's rank classification
 * }</pre>
 */
public final class RankScorer {
  private final Session session;
  private final RankScoringGraph graph;
  private final int padId;

  public RankScorer(Session session, RankScoringGraph graph, int padId) {
    this.session = session;
    this.graph = graph;
    this.padId = padId;
  }

  /**
   * Scores every example, in input order.
   *
   * <p>Examples are batched by input length so that little of each batch is padding; results come
   * back in the original order.
   *
   * @param progress called with the number of examples done after each batch
   */
  public List<ChoiceScores> score(List<EncodedExample> examples, int batchSize, IntConsumer progress) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be at least 1");
    }
    Integer[] order = new Integer[examples.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, Comparator.comparingInt(i -> examples.get(i).inputIds().length));
    ChoiceScores[] out = new ChoiceScores[examples.size()];
    int done = 0;
    for (int start = 0; start < order.length; start += batchSize) {
      int end = Math.min(order.length, start + batchSize);
      List<EncodedExample> batch = new ArrayList<>();
      for (int i = start; i < end; i++) {
        batch.add(examples.get(order[i]));
      }
      List<ChoiceScores> scored = scoreBatch(batch);
      for (int i = start; i < end; i++) {
        out[order[i]] = scored.get(i - start);
      }
      done += batch.size();
      progress.accept(done);
    }
    for (int i = 0; i < out.length; i++) {
      requireFinite(out[i], i);
    }
    return Arrays.asList(out);
  }

  /**
   * A NaN or infinite score would still rank (NaN compares false) and print an accuracy that means
   * nothing, so it stops the run, naming the example. Log-softmax of finite logits is finite; a
   * non-finite score means non-finite or overflowing weights (an adapter holding 3e38, say).
   */
  private static void requireFinite(ChoiceScores s, int index) {
    for (int c = 0; c < s.sum().length; c++) {
      if (!Double.isFinite(s.sum()[c]) || !Double.isFinite(s.mean()[c])) {
        throw new TfewException("example " + (index + 1) + " (in data order): the model scores its choice "
            + (c + 1) + " as " + s.sum()[c] + ", not a finite log-probability, so no prediction or accuracy is "
            + "reported. The model's or adapter's weights are non-finite or so large that its activations "
            + "overflow; check the adapter (or checkpoint) this run loaded");
      }
    }
  }

  /** Scores one batch in one session call. */
  public List<ChoiceScores> scoreBatch(List<EncodedExample> batch) {
    try (ChoiceBatch packed = ChoiceBatch.pack(batch, padId);
        Result r = packed.feed(session.runner(), graph).fetch(graph.tokenLogProbs).run()) {
      float[] lp = new float[packed.batch * packed.choices * packed.length];
      ((TFloat32) r.get(0)).asRawTensor().data().asFloats().read(lp);
      List<ChoiceScores> result = new ArrayList<>(batch.size());
      for (int b = 0; b < batch.size(); b++) {
        List<int[]> choices = batch.get(b).choiceIds();
        double[] mean = new double[choices.size()];
        double[] sum = new double[choices.size()];
        float[][] tokens = new float[choices.size()][];
        for (int c = 0; c < choices.size(); c++) {
          int n = choices.get(c).length;
          int base = (b * packed.choices + c) * packed.length;
          tokens[c] = Arrays.copyOfRange(lp, base, base + n);
          // Summed in float32 like the graph and PyTorch do, so scores match references bit for bit
          // more often; widened afterwards.
          float s = 0f;
          for (float v : tokens[c]) {
            s += v;
          }
          sum[c] = s;
          mean[c] = s / n;
        }
        result.add(new ChoiceScores(mean, sum, tokens));
      }
      return result;
    }
  }
}
