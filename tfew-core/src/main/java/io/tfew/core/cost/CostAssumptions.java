package io.tfew.core.cost;

import io.tfew.api.TfewException;

/**
 * The workload a cost estimate assumes.
 *
 * <p>{@link #PAPER} is the setting behind Table 1 of Liu et al. (2022), derived from the table's own
 * figures since the text gives only the rules (see {@link CostModel}): 103 tokens per example (input
 * plus target), T-Few's 1,000 steps of 8 examples, and in-context prompts of about 4,000 tokens, which
 * is what every ICL row implies (GPT-3 175B: 1.4e15 / (2 x 175e9) = 4,000 tokens), i.e. 38
 * demonstrations of 103 tokens plus the example itself.
 *
 * @param tokensPerExample input and target tokens of one example
 * @param steps training steps
 * @param examplesPerStep examples per optimizer update (batch size x gradient accumulation)
 * @param shots demonstrations in an in-context-learning prompt
 */
public record CostAssumptions(int tokensPerExample, int steps, int examplesPerStep, int shots) {
  public static final CostAssumptions PAPER = new CostAssumptions(103, 1000, 8, 38);

  public CostAssumptions {
    if (tokensPerExample < 1) {
      throw new TfewException("--tokens " + tokensPerExample + ": must be at least 1");
    }
    if (steps < 0) {
      throw new TfewException("--steps " + steps + ": must be 0 or more");
    }
    if (examplesPerStep < 1) {
      throw new TfewException("--batch-size " + examplesPerStep + ": must be at least 1");
    }
    if (shots < 0) {
      throw new TfewException("--shots " + shots + ": must be 0 or more");
    }
  }
}
