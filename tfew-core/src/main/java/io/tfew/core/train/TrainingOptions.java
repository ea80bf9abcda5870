package io.tfew.core.train;

import io.tfew.api.TfewException;
import io.tfew.core.score.ChoiceBatch;

/**
 * How long and how to train.
 *
 * <pre>{@code
 * new TrainingOptions(1000, 8, 1, 3e-3, 0, 42L);   // T-Few's (IA)^3 recipe: 1000 steps of batch 8
 * }</pre>
 *
 * @param steps optimizer updates
 * @param batchSize examples per micro-batch
 * @param gradAccum micro-batches per update
 * @param learningRate peak learning rate (the schedule scales it)
 * @param checkpointEvery write training state every this many updates (0: only at the end)
 * @param seed drives data order, template choice and dropout
 */
public record TrainingOptions(int steps, int batchSize, int gradAccum, double learningRate, int checkpointEvery,
    long seed) {
  public TrainingOptions {
    if (steps < 1) {
      throw new TfewException("train.steps = " + steps + ": must be at least 1");
    }
    if (batchSize < 1) {
      throw new TfewException("train.batch_size = " + batchSize + ": must be at least 1");
    }
    if (batchSize > ChoiceBatch.MAX_EXAMPLES) {
      throw new TfewException("train.batch_size = " + batchSize + ": must be at most " + ChoiceBatch.MAX_EXAMPLES);
    }
    if (gradAccum < 1) {
      throw new TfewException("train.grad_accum = " + gradAccum + ": must be at least 1");
    }
    if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
      throw new TfewException("train.lr = " + learningRate + ": must be a positive number");
    }
    if (checkpointEvery < 0) {
      throw new TfewException("train.checkpoint_every = " + checkpointEvery + ": must not be negative");
    }
  }
}
