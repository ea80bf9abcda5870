package io.tfew.experiments.cost;

import io.tfew.api.TfewException;

/**
 * The workload a cost estimate assumes.
 *
 * <p>{@link #measured} is the setting behind Table 1 of Liu et al. (2022): T-Few's 1,000 steps of 8
 * examples (t-few's {@code num_steps} and {@code batch_size}), with example and prompt lengths measured
 * from the held-out datasets ({@link HeldOutTokens}) rather than fitted to the table.
 *
 * @param tokensPerExample input and target tokens of one example
 * @param steps training steps
 * @param examplesPerStep examples per optimizer update (batch size x gradient accumulation)
 * @param shots demonstrations in an in-context-learning prompt (a mean over datasets when measured)
 * @param iclTokensPerExample tokens of one in-context prompt: the demonstrations and the example
 */
public record CostAssumptions(double tokensPerExample, int steps, int examplesPerStep, double shots,
    double iclTokensPerExample) {
  /** T-Few's training run: {@code num_steps} 1000 of {@code batch_size} 8 (t-few's configs). */
  public static final int TFEW_STEPS = 1000;
  public static final int TFEW_BATCH = 8;

  public CostAssumptions {
    if (!(tokensPerExample >= 1)) {
      throw new TfewException("--tokens " + tokensPerExample + ": must be at least 1");
    }
    if (steps < 0) {
      throw new TfewException("--steps " + steps + ": must be 0 or more");
    }
    if (examplesPerStep < 1) {
      throw new TfewException("--batch-size " + examplesPerStep + ": must be at least 1");
    }
    if (!(shots >= 0)) {
      throw new TfewException("--shots " + shots + ": must be 0 or more");
    }
    if (!(iclTokensPerExample >= tokensPerExample)) {
      throw new TfewException("an in-context prompt of " + iclTokensPerExample + " tokens is shorter than its example ("
          + tokensPerExample + ")");
    }
  }

  /** Every example {@code tokensPerExample} long, and {@code shots} demonstrations of that length. */
  public CostAssumptions(int tokensPerExample, int steps, int examplesPerStep, int shots) {
    this(tokensPerExample, steps, examplesPerStep, shots, (shots + 1.0) * tokensPerExample);
  }

  /** The measured lengths and shots of {@code tokens}, averaged over its datasets. */
  public static CostAssumptions measured(HeldOutTokens tokens, int steps, int examplesPerStep) {
    return new CostAssumptions(tokens.tokensPerExample(), steps, examplesPerStep, tokens.shots(),
        tokens.iclTokensPerExample());
  }
}
