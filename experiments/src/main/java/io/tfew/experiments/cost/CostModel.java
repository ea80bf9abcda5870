package io.tfew.experiments.cost;

/**
 * The FLOP and storage accounting of Liu et al. (2022), "Few-Shot Parameter-Efficient Fine-Tuning is
 * Better and Cheaper than In-Context Learning", Table 1.
 *
 * <p>Following Kaplan et al. (2020), a decoder-only Transformer with N parameters spends about 2N
 * FLOPs per token in a forward pass and 6N in a training step (forward plus backward, which costs
 * twice the forward). In an encoder-decoder such as T5, every token passes through either the encoder
 * or the decoder, about half the weights, so the figures halve: N per token for inference and 3N for
 * training. Hence, with {@code l} tokens per example:
 * <ul>
 *   <li>inference per example = N x l;</li>
 *   <li>training = 3N x l x examples per step x steps (T-Few: 3N x l x 8 x 1000);</li>
 *   <li>storage = trainable parameters x 4 bytes (float32);</li>
 *   <li>k-shot ICL on the same model = N x (k + 1) x l per example, storing the k demonstrations.</li>
 * </ul>
 * {@code l} and the prompt lengths are measured from the held-out datasets ({@link HeldOutTokens}).
 * PEFT methods add work of their own (an (IA)^3 rescale, a LoRA product); at these sizes it is far
 * below the rounding of the table and is left out, as the paper leaves it out.
 */
public final class CostModel {
  /** FLOPs per token and parameter of an encoder-decoder forward pass (a decoder-only model: 2). */
  static final int FORWARD_FLOPS_PER_TOKEN_PER_PARAMETER = 1;
  /** The backward pass costs twice the forward. */
  static final int TRAINING_MULTIPLIER = 3;
  static final int BYTES_PER_VALUE = 4;

  private CostModel() {}

  public static CostEstimate estimate(long baseParameters, long trainableParameters, CostAssumptions a) {
    double perToken = (double) FORWARD_FLOPS_PER_TOKEN_PER_PARAMETER * baseParameters;
    double inference = perToken * a.tokensPerExample();
    double training = TRAINING_MULTIPLIER * perToken * a.tokensPerExample() * (double) a.examplesPerStep() * a.steps();
    double demonstrations = a.iclTokensPerExample() - a.tokensPerExample();
    return new CostEstimate(baseParameters, trainableParameters, inference, training,
        trainableParameters * BYTES_PER_VALUE, a.iclTokensPerExample(), perToken * a.iclTokensPerExample(),
        Math.round(demonstrations * BYTES_PER_VALUE));
  }
}
