package io.tfew.losses;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import io.tfew.api.loss.ChoiceLogProbs;
import io.tfew.api.loss.Loss;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * The three losses on {@link HandMadeBatch}, against values and gradients worked out by hand, including
 * a padded choice and padded tokens that hold non-zero junk.
 */
class HandMadeLossTest {

  @Test
  void lmIsTheTokenMeanOfTheGoldChoicesCrossEntropy() {
    assertThat(evaluate(new LmLoss())).isCloseTo(HandMadeBatch.LM, offset(1e-6));
  }

  @Test
  void unlikelihoodIsTheTokenMeanOverRealWrongChoices() {
    assertThat(evaluate(new UnlikelihoodLoss())).isCloseTo(HandMadeBatch.UL, offset(1e-6));
  }

  @Test
  void lengthNormIsTheSoftmaxCrossEntropyOfMeanLogProbsWithoutPaddedChoices() {
    assertThat(evaluate(new LengthNormLoss())).isCloseTo(HandMadeBatch.LN, offset(1e-6));
    // If the padded choice leaked in with beta 0 (or -7), example 1's loss would change by far more.
    assertThat(HandMadeBatch.LN).isNotCloseTo(
        (HandMadeBatch.logSumExp(-1.5, -1.0, -0.1) + 1.0 + HandMadeBatch.logSumExp(-0.2, -1.35, 0) + 0.2) / 2,
        offset(1e-2));
  }

  @Test
  void lengthNormExponentZeroUsesSums() {
    assertThat(evaluate(new LengthNormLoss(0.0))).isCloseTo(HandMadeBatch.LN_SUM, offset(1e-6));
  }

  @Test
  void lmGradientIsMinusOneOverTheGoldTokenCountAtGoldTokensAndZeroElsewhere() {
    float[] grad = gradient(new LmLoss(), HandMadeBatch.flatLogProbs());
    float[] expected = new float[18];
    // example 0 c1 tokens 0..2 (flat 3..5), example 1 c0 token 0 (flat 9)
    for (int i : new int[] {3, 4, 5, 9}) {
      expected[i] = -0.25f;
    }
    assertThat(grad).containsExactly(expected, offset(1e-6f));
  }

  @Test
  void unlikelihoodGradientIsPOver1_01MinusPOverTheCount() {
    float[] lp = HandMadeBatch.flatLogProbs();
    float[] grad = gradient(new UnlikelihoodLoss(), lp);
    float[] expected = new float[18];
    // d/dlp of -log(1.01 - e^lp) / 5 = e^lp / (1.01 - e^lp) / 5, at the wrong choices' real tokens
    for (int i : new int[] {0, 1, 6, 12, 13}) {
      double p = Math.exp(lp[i]);
      expected[i] = (float) (p / (1.01 - p) / 5);
    }
    assertThat(grad).containsExactly(expected, offset(1e-6f));
  }

  @Test
  void lengthNormGradientIsSoftmaxMinusOneHotOverLengthAndBatch() {
    float[] grad = gradient(new LengthNormLoss(), HandMadeBatch.flatLogProbs());
    float[] expected = new float[18];
    double[][] betas = {{-1.5, -1.0, -0.1}, {-0.2, -1.35}};
    int[][] lengths = {{2, 3, 1}, {1, 2}};
    for (int b = 0; b < 2; b++) {
      double z = 0;
      for (double beta : betas[b]) {
        z += Math.exp(beta);
      }
      for (int c = 0; c < betas[b].length; c++) {
        // dL/dbeta_c = (softmax_c - [c = label]) / B, shared by the choice's T_c tokens: / T_c each
        double dBeta = (Math.exp(betas[b][c]) / z - (c == HandMadeBatch.LABELS[b] ? 1 : 0)) / 2;
        for (int t = 0; t < lengths[b][c]; t++) {
          expected[b * 9 + c * 3 + t] = (float) (dBeta / lengths[b][c]);
        }
      }
    }
    assertThat(grad).containsExactly(expected, offset(1e-6f));
  }

  @Test
  void gradientsAgreeWithCentralFiniteDifferences() {
    for (Loss loss : List.of(new LmLoss(), new UnlikelihoodLoss(), new LengthNormLoss(), new LengthNormLoss(0.5))) {
      float[] lp = HandMadeBatch.flatLogProbs();
      float[] grad = gradient(loss, lp);
      float h = 1e-2f;
      for (int i = 0; i < lp.length; i++) {
        float[] plus = lp.clone();
        float[] minus = lp.clone();
        plus[i] += h;
        minus[i] -= h;
        double numeric = (evaluate(loss, plus) - evaluate(loss, minus)) / (2 * h);
        assertThat((double) grad[i]).as("%s d/dlp[%d]", loss.getClass().getSimpleName(), i)
            .isCloseTo(numeric, offset(2e-3 + 1e-2 * Math.abs(numeric)));
      }
    }
  }

  private static double evaluate(Loss loss) {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> value = loss.build(tf, HandMadeBatch.constants(tf));
      try (Result r = s.runner().fetch(value).run()) {
        return ((TFloat32) r.get(0)).getFloat();
      }
    }
  }

  private static double evaluate(Loss loss, float[] logProbs) {
    try (Graph g = new Graph(); Session s = new Session(g); TFloat32 fed = HandMadeBatch.tensor(logProbs)) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> input = HandMadeBatch.logProbsPlaceholder(tf);
      Operand<TFloat32> value = loss.build(tf, HandMadeBatch.withLogProbs(tf, input));
      try (Result r = s.runner().feed(input, fed).fetch(value).run()) {
        return ((TFloat32) r.get(0)).getFloat();
      }
    }
  }

  /** d loss / d tokenLogProbs through {@code tf.gradients}, flattened. */
  static float[] gradient(Loss loss, float[] logProbs) {
    try (Graph g = new Graph(); Session s = new Session(g); TFloat32 fed = HandMadeBatch.tensor(logProbs)) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> input = HandMadeBatch.logProbsPlaceholder(tf);
      ChoiceLogProbs batch = HandMadeBatch.withLogProbs(tf, input);
      Operand<TFloat32> value = loss.build(tf, batch);
      Operand<?> dInput = tf.gradients(value, List.of(input)).dy(0);
      assertThat(dInput).as("gradient of %s", loss.getClass().getSimpleName()).isNotNull();
      try (Result r = s.runner().feed(input, fed).fetch(dInput).run()) {
        TFloat32 t = (TFloat32) r.get(0);
        float[] out = new float[(int) t.size()];
        t.asRawTensor().data().asFloats().read(out);
        return out;
      }
    }
  }
}
