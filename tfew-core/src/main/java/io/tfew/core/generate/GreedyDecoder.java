package io.tfew.core.generate;

import io.tfew.core.model.T5Model;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.math.ArgMax;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Greedy decoding: the start token, then repeatedly the argmax of the next-token distribution.
 *
 * <p>The encoder runs once per batch; each step then feeds its output back in place of the encoder
 * ops (TensorFlow lets a run feed any tensor, not only placeholders) and re-runs the decoder on the
 * prefix so far. Rows that emitted EOS continue with the pad id, as Hugging Face's generate does.
 *
 * <pre>{@code
 * try (LoadedModel model = LoadedModel.open(dir, List.of(), List.of(LoadedModel.Program.GENERATE), 256, 0L,
 *     loaded -> { })) {
 *   int[][] out = model.greedy().decode(model.session(), inputIds, new int[inputIds.length], 32);
 * }
 * }</pre>
 */
public final class GreedyDecoder {
  private final Placeholder<TInt32> inputIds;
  private final Placeholder<TFloat32> inputMask;
  private final Placeholder<TInt32> taskIds;
  private final Placeholder<TInt32> prefix;
  private final T5Model.Encoded encoded;
  private final Operand<TInt32> next;
  private final int startId;
  private final int eosId;
  private final int padId;

  private GreedyDecoder(Ops tf, T5Model model) {
    Ops s = tf.withSubScope("generate");
    inputIds = s.withName("input_ids").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1, -1)));
    inputMask = s.withName("input_mask").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, -1)));
    taskIds = s.withName("task_ids").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
    prefix = s.withName("prefix").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1, -1)));
    encoded = model.encode(inputIds, inputMask, taskIds);
    Operand<TFloat32> logits = model.decode(prefix, encoded, null);
    Operand<TInt32> length = s.gather(s.shape(prefix), s.constant(1), s.constant(0));
    Operand<TFloat32> last = s.squeeze(s.gather(logits, s.math.sub(length, s.constant(1)), s.constant(1)));
    next = s.math.argMax(s.reshape(last, s.stack(List.of(s.constant(-1),
        s.gather(s.shape(logits), s.constant(2), s.constant(0))))), s.constant(1), TInt32.class);
    startId = model.config().decoderStartTokenId();
    eosId = model.config().eosTokenId();
    padId = model.config().padTokenId();
  }

  public static GreedyDecoder build(Ops tf, T5Model model) {
    return new GreedyDecoder(tf, model);
  }

  /**
   * The most tokens one call generates. Each step re-runs the decoder on the whole prefix (there is no
   * key/value cache), so a row costs the square of its length: 4096 tokens took over 10 minutes on a
   * tiny model, 512 take seconds to a few minutes.
   */
  public static final int MAX_NEW_TOKENS = 512;

  /**
   * Decodes a batch of already padded inputs, stopping early once every row has emitted EOS.
   *
   * @return per row, the start token followed by {@code maxNewTokens} ids: the generated ones, then the
   *     pad id after a row's EOS
   */
  public int[][] decode(Session session, int[][] ids, int[] tasks, int maxNewTokens) {
    int batch = ids.length;
    int seq = 0;
    for (int[] row : ids) {
      seq = Math.max(seq, row.length);
    }
    int[] flat = new int[batch * seq];
    float[] mask = new float[batch * seq];
    java.util.Arrays.fill(flat, padId);
    for (int b = 0; b < batch; b++) {
      for (int t = 0; t < ids[b].length; t++) {
        flat[b * seq + t] = ids[b][t];
        mask[b * seq + t] = 1f;
      }
    }
    if (maxNewTokens < 1 || maxNewTokens > MAX_NEW_TOKENS) {
      throw new IllegalArgumentException("maxNewTokens " + maxNewTokens + " is outside 1.." + MAX_NEW_TOKENS);
    }
    int[][] out = new int[batch][maxNewTokens + 1];
    boolean[] finished = new boolean[batch];
    for (int b = 0; b < batch; b++) {
      // Positions after an early stop hold the pad id, exactly what the remaining steps would write.
      java.util.Arrays.fill(out[b], padId);
      out[b][0] = startId;
    }
    try (TInt32 idsT = TInt32.tensorOf(Shape.of(batch, seq));
        TFloat32 maskT = TFloat32.tensorOf(Shape.of(batch, seq));
        TInt32 taskT = TInt32.tensorOf(Shape.of(batch))) {
      idsT.asRawTensor().data().asInts().write(flat);
      maskT.asRawTensor().data().asFloats().write(mask);
      taskT.asRawTensor().data().asInts().write(tasks);
      // A soft prompt makes the encoder's mask an op of its own; without one it is the placeholder,
      // which TensorFlow will not let a run both feed and fetch.
      boolean maskRewritten = encoded.mask() != inputMask;
      Session.Runner encoder = session.runner().feed(inputIds, idsT).feed(inputMask, maskT).feed(taskIds, taskT)
          .fetch(encoded.hidden());
      if (maskRewritten) {
        encoder.fetch(encoded.mask());
      }
      try (Result enc = encoder.run()) {
        Tensor hidden = enc.get(0);
        Tensor encMask = maskRewritten ? enc.get(1) : maskT;
        int unfinished = batch;
        for (int step = 1; step <= maxNewTokens && unfinished > 0; step++) {
          int[] prefixFlat = new int[batch * step];
          for (int b = 0; b < batch; b++) {
            System.arraycopy(out[b], 0, prefixFlat, b * step, step);
          }
          try (TInt32 prefixT = TInt32.tensorOf(Shape.of(batch, step))) {
            prefixT.asRawTensor().data().asInts().write(prefixFlat);
            try (Result r = session.runner()
                .feed(encoded.hidden(), hidden).feed(encoded.mask(), encMask).feed(taskIds, taskT)
                .feed(prefix, prefixT).fetch(next).run()) {
              int[] chosen = new int[batch];
              ((TInt32) r.get(0)).asRawTensor().data().asInts().read(chosen);
              for (int b = 0; b < batch; b++) {
                out[b][step] = finished[b] ? padId : chosen[b];
                if (!finished[b] && out[b][step] == eosId) {
                  finished[b] = true;
                  unfinished--;
                }
              }
            }
          }
        }
      }
    }
    return out;
  }
}
