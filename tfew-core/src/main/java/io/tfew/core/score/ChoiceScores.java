package io.tfew.core.score;

/**
 * One example's rank-classification result.
 *
 * @param mean per choice: sum of token log-probs / token count (EOS counted), T-Few's default score
 * @param sum per choice: sum of token log-probs (the paper's "-LN" ablation)
 * @param tokenLogProbs per choice, per token of that choice
 */
public record ChoiceScores(double[] mean, double[] sum, float[][] tokenLogProbs) {

  /** The scores under a length-normalisation mode. */
  public double[] scores(LengthNorm norm) {
    return norm == LengthNorm.MEAN ? mean : sum;
  }

  /** Index of the best choice; ties go to the earlier choice, as argmax does in PyTorch. */
  public int prediction(LengthNorm norm) {
    double[] s = scores(norm);
    int best = 0;
    for (int i = 1; i < s.length; i++) {
      if (s[i] > s[best]) {
        best = i;
      }
    }
    return best;
  }
}
