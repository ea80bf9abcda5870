package io.tfew.experiments.bench;

import io.tfew.core.model.T5Config;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The matrix products of one (IA)^3 rank-classification training step, by shape, counted analytically.
 *
 * <p>Each product of {@code [m, k] x [k, n]} is {@code 2 m k n} FLOPs. Only the (IA)^3 vectors train, so no
 * frozen weight gets a weight gradient; the backward pass computes, per product, the gradient of each
 * operand that depends on a trainable vector, at the forward cost each:
 * <ul>
 *   <li>a linear layer {@code x W}: the forward product and the input gradient {@code dy W^T}, except the
 *       q, k, v projections of the first encoder and the first decoder self-attention, whose input is the
 *       frozen embedding (their (IA)^3 rescaling is elementwise): forward only;
 *   <li>attention scores {@code q k^T} and context {@code w v}, batched over examples and heads: forward and
 *       both operand gradients, except the scores of those two first self-attentions, whose {@code q} needs
 *       no gradient.
 * </ul>
 * Shapes as tfew builds them: {@code B} examples of {@code S} input tokens run the encoder once each;
 * {@code R = B C} choice rows of {@code T} tokens run the decoder; cross-attention keys and values are
 * projected once per example ({@code B S} rows) and gathered to the choice rows; the LM head projects
 * {@code R T} rows to the vocabulary. Elementwise ops, softmax, dropout and the optimizer are not counted.
 * {@code bench/torch_t5_ia3_step.py} prints the same FLOP count for its own step.
 *
 * <pre>{@code
 * List<StepMatmuls.Product> products = StepMatmuls.of(config, 8, 256, 2, 8);
 * long flops = StepMatmuls.flops(products);
 * }</pre>
 */
public final class StepMatmuls {
  private StepMatmuls() {}

  /**
   * {@code count} products of {@code [m, k] x [k, n]}, each batched {@code batch} times (1: a 2-D MatMul;
   * more: attention's per-example, per-head products in one op).
   */
  public record Product(long batch, long m, long k, long n, long count) {
    public long flops() {
      return 2 * batch * m * k * n * count;
    }

    /** The same shape, {@code more} more times. */
    Product plus(long more) {
      return new Product(batch, m, k, n, count + more);
    }

    /** The same shape, {@code factor} times as often (a step of that many micro-batches). */
    public Product times(long factor) {
      return new Product(batch, m, k, n, count * factor);
    }

    @Override
    public String toString() {
      return (batch > 1 ? batch + " x " : "") + "[" + m + " x " + k + "] x [" + k + " x " + n + "]";
    }
  }

  /** The step's products, equal shapes merged, in the order first met. */
  public static List<Product> of(T5Config c, int batch, int inputLen, int choices, int choiceLen) {
    Map<List<Long>, Product> products = new LinkedHashMap<>();
    long d = c.dModel();
    long inner = c.innerDim();
    long ff = c.dFf();
    long heads = c.numHeads();
    long dkv = c.dKv();
    long ne = (long) batch * inputLen;
    long rows = (long) batch * choices;
    long nd = rows * choiceLen;
    long s = inputLen;
    long t = choiceLen;
    int ffIn = c.gatedFfn() ? 2 : 1;
    for (int stack = 0; stack < 2; stack++) {
      boolean decoder = stack == 1;
      int layers = decoder ? c.numDecoderLayers() : c.numLayers();
      long n = decoder ? nd : ne;
      long bh = (decoder ? rows : batch) * heads;
      long len = decoder ? t : s;
      for (int i = 0; i < layers; i++) {
        boolean first = i == 0;
        linear(products, n, d, inner, 3, !first);
        linear(products, n, inner, d, 1, true);
        attention(products, bh, len, len, dkv, !first);
        if (decoder) {
          // Cross-attention: q and o per decoder row, k and v once per example.
          linear(products, nd, d, inner, 1, true);
          linear(products, nd, inner, d, 1, true);
          linear(products, ne, d, inner, 2, true);
          attention(products, rows * heads, t, s, dkv, true);
        }
        linear(products, n, d, ff, ffIn, true);
        linear(products, n, ff, d, 1, true);
      }
    }
    linear(products, nd, d, c.vocabSize(), 1, true);
    return new ArrayList<>(products.values());
  }

  /** The FLOPs of all {@code products}. */
  public static long flops(List<Product> products) {
    return products.stream().mapToLong(Product::flops).sum();
  }

  /** {@code count} linears {@code [rows, in] x [in, out]}, with their input gradients when asked. */
  private static void linear(Map<List<Long>, Product> to, long rows, long in, long out, long count,
      boolean inputGradient) {
    add(to, 1, rows, in, out, count);
    if (inputGradient) {
      add(to, 1, rows, out, in, count);
    }
  }

  /**
   * Scores {@code q k^T} ({@code [q, dkv] x [dkv, kv]}) and context {@code w v} ({@code [q, kv] x [kv, dkv]}),
   * batched {@code bh} times, with the gradients of k, w and v, and of q when asked.
   */
  private static void attention(Map<List<Long>, Product> to, long bh, long q, long kv, long dkv,
      boolean queryGradient) {
    add(to, bh, q, dkv, kv, 1); // scores
    add(to, bh, kv, q, dkv, 1); // dk = dS^T q
    if (queryGradient) {
      add(to, bh, q, kv, dkv, 1); // dq = dS k
    }
    add(to, bh, q, kv, dkv, 1); // context
    add(to, bh, q, dkv, kv, 1); // dw = dC v^T
    add(to, bh, kv, q, dkv, 1); // dv = w^T dC
  }

  private static void add(Map<List<Long>, Product> to, long batch, long m, long k, long n, long count) {
    to.merge(List.of(batch, m, k, n), new Product(batch, m, k, n, count), (a, b) -> a.plus(b.count()));
  }
}
