package io.tfew.experiments.cost;

/**
 * What adapting a model with a PEFT method costs, next to in-context learning (ICL) on the same model.
 *
 * @param baseParameters N, every weight of the base checkpoint
 * @param trainableParameters what the method trains and stores
 * @param inferenceFlopsPerExample scoring one example with the adapted model
 * @param trainingFlops the whole training run
 * @param adapterBytes the adapter on disk, float32
 * @param iclTokensPerExample one ICL prompt: the demonstrations and the example
 * @param iclInferenceFlopsPerExample scoring one example by ICL on the base model
 * @param iclStorageBytes the demonstrations kept as 4-byte token ids, ICL's "adapter" (rounded)
 */
public record CostEstimate(long baseParameters, long trainableParameters, double inferenceFlopsPerExample,
    double trainingFlops, long adapterBytes, double iclTokensPerExample, double iclInferenceFlopsPerExample,
    long iclStorageBytes) {}
