package io.tfew.core.score;

import io.tfew.api.loss.ChoiceLogProbs;
import io.tfew.core.model.T5Model;
import io.tfew.core.model.TokenLogProbs;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Sum;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Rank classification in one graph execution per batch: the encoder runs once per example, then every
 * answer choice of the batch passes the decoder together, teacher-forced, and each choice token's
 * log-probability is read off.
 */
public final class RankScoringGraph {
  /** {@code [B, S]} input token ids, right-padded. */
  public final Placeholder<TInt32> inputIds;
  /** {@code [B, S]} 1 for tokens, 0 for padding. */
  public final Placeholder<TFloat32> inputMask;
  /** {@code [B, C, T]} answer-choice ids (EOS included), padded with the pad id. */
  public final Placeholder<TInt32> choiceIds;
  /** {@code [B, C, T]} 1 for choice tokens, 0 for padding. */
  public final Placeholder<TFloat32> choiceMask;
  /** {@code [B]} task index of each example. */
  public final Placeholder<TInt32> taskIds;
  /** {@code [B]} gold choice index (only needed by losses). */
  public final Placeholder<TInt32> labels;
  /** {@code [B, C, T]} log p of each choice token, 0 at padding. */
  public final Operand<TFloat32> tokenLogProbs;
  /** {@code [B, C]} sum of token log-probs divided by the token count (EOS counted). */
  public final Operand<TFloat32> meanScores;
  /** {@code [B, C]} sum of token log-probs. */
  public final Operand<TFloat32> sumScores;
  /** {@code [B, C]} 1 for real choices (at least one token), 0 for padded ones. */
  public final Operand<TFloat32> realChoices;
  /** {@code [B, S', d_model]} the encoder output (S' includes positions a soft prompt added). */
  public final Operand<TFloat32> encoderHidden;

  private RankScoringGraph(Ops tf, T5Model model) {
    Ops s = tf.withSubScope("rank");
    inputIds = s.withName("input_ids").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1, -1)));
    inputMask = s.withName("input_mask").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, -1)));
    choiceIds = s.withName("choice_ids").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1, -1, -1)));
    choiceMask = s.withName("choice_mask").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, -1, -1)));
    taskIds = s.withName("task_ids").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
    labels = s.withName("labels").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));

    T5Model.Encoded encoded = model.encode(inputIds, inputMask, taskIds);
    encoderHidden = encoded.hidden();
    Operand<TInt32> shape = s.shape(choiceIds);
    Operand<TInt32> numChoices = s.gather(shape, s.constant(1), s.constant(0));
    Operand<TInt32> length = s.gather(shape, s.constant(2), s.constant(0));
    Operand<TInt32> targets = s.reshape(choiceIds, s.stack(List.of(s.constant(-1), length)));
    Operand<TInt32> rows = s.gather(s.shape(targets), s.constant(0), s.constant(0));
    // Teacher forcing: the decoder sees the start token, then the target shifted right by one.
    Operand<TInt32> start = s.fill(s.stack(List.of(rows, s.constant(1))),
        s.constant(model.config().decoderStartTokenId()));
    Operand<TInt32> shifted = s.slice(targets, s.constant(new int[] {0, 0}),
        s.stack(List.of(s.constant(-1), s.math.sub(length, s.constant(1)))));
    Operand<TInt32> decoderInput = s.concat(List.of(start, shifted), s.constant(1));
    Operand<TInt32> rowExample = s.math.floorDiv(s.range(s.constant(0), rows, s.constant(1)), numChoices);

    Operand<TFloat32> logits = model.decode(decoderInput, encoded, rowExample);
    Operand<TFloat32> flatLogProbs = TokenLogProbs.of(s, logits, targets);
    tokenLogProbs = s.math.mul(s.reshape(flatLogProbs, shape), choiceMask);
    sumScores = s.sum(tokenLogProbs, s.constant(2), Sum.keepDims(false));
    Operand<TFloat32> counts = s.sum(choiceMask, s.constant(2), Sum.keepDims(false));
    meanScores = s.math.divNoNan(sumScores, counts);
    realChoices = s.dtypes.cast(s.math.greater(counts, s.constant(0f)), TFloat32.class);
  }

  public static RankScoringGraph build(Ops tf, T5Model model) {
    return new RankScoringGraph(tf, model);
  }

  /** The batch as losses see it. */
  public ChoiceLogProbs asChoiceLogProbs() {
    return new ChoiceLogProbs(tokenLogProbs, choiceMask, realChoices, labels);
  }
}
