package io.tfew.experiments.bench;

import io.tfew.core.model.T5Config;

/**
 * Matmul FLOPs of one (IA)^3 rank-classification training step, counted analytically.
 *
 * <p>Each matmul of {@code [m, k] x [k, n]} is {@code 2 m k n} FLOPs. Only the (IA)^3 vectors train, so no
 * frozen weight gets a weight gradient; the backward pass computes, per matmul, the gradient of each
 * operand that depends on a trainable vector, at the forward cost each:
 * <ul>
 *   <li>a linear layer: forward + input gradient, <b>x2</b>, except the q, k, v projections of the first
 *       encoder and the first decoder self-attention, whose input is the frozen embedding: <b>x1</b>
 *       (their (IA)^3 rescaling is elementwise);
 *   <li>attention scores {@code q k^T} and context {@code w v}: forward + both operand gradients, <b>x3</b>,
 *       except the scores of those two first self-attentions, whose {@code q} needs no gradient: <b>x2</b>.
 * </ul>
 * Shapes as tfew builds them: {@code B} examples of {@code S} input tokens run the encoder once each;
 * {@code R = B C} choice rows of {@code T} tokens run the decoder; cross-attention keys and values are
 * projected once per example ({@code B S} rows) and gathered to the choice rows; the LM head projects
 * {@code R T} rows to the vocabulary. Elementwise ops, softmax, dropout and the optimizer are not counted.
 * {@code bench/torch_t5_ia3_step.py} prints the same count for its own step.
 */
public final class TrainStepFlops {
  private TrainStepFlops() {}

  public static long of(T5Config c, int batch, int inputLen, int choices, int choiceLen) {
    long d = c.dModel();
    long inner = c.innerDim();
    long ff = c.dFf();
    long ne = (long) batch * inputLen;
    long rows = (long) batch * choices;
    long nd = rows * choiceLen;
    long s = inputLen;
    long t = choiceLen;
    int ffIn = c.gatedFfn() ? 2 : 1;
    long total = 0;
    for (int i = 0; i < c.numLayers(); i++) {
      boolean first = i == 0;
      total += mm(ne, d, inner) * (first ? 1 : 2) * 3 + mm(ne, inner, d) * 2;
      long att = mm(batch * (long) c.numHeads() * s, c.dKv(), s);
      total += att * (first ? 2 : 3) + att * 3;
      total += (ffIn * mm(ne, d, ff) + mm(ne, ff, d)) * 2;
    }
    for (int i = 0; i < c.numDecoderLayers(); i++) {
      boolean first = i == 0;
      total += mm(nd, d, inner) * (first ? 1 : 2) * 3 + mm(nd, inner, d) * 2;
      long att = mm(rows * c.numHeads() * t, c.dKv(), t);
      total += att * (first ? 2 : 3) + att * 3;
      // Cross-attention: q and o per decoder row, k and v once per example.
      total += mm(nd, d, inner) * 2 * 2 + mm(ne, d, inner) * 2 * 2;
      total += mm(rows * c.numHeads() * t, c.dKv(), s) * 3 * 2;
      total += (ffIn * mm(nd, d, ff) + mm(nd, ff, d)) * 2;
    }
    total += mm(nd, d, c.vocabSize()) * 2;
    return total;
  }

  private static long mm(long m, long k, long n) {
    return 2 * m * k * n;
  }
}
