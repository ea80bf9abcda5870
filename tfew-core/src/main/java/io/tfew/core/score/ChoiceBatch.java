package io.tfew.core.score;

import io.tfew.api.TfewException;
import java.util.List;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * A batch of examples padded into the tensors {@link RankScoringGraph} takes: inputs to the longest
 * input, choices to the most choices and the longest choice. Padding choices have an all-zero mask.
 */
public final class ChoiceBatch implements AutoCloseable {
  /**
   * The most examples one batch may hold, for every batch-size option (train.batch_size,
   * eval.batch_size, --batch-size). T-Few uses 8 to 32; a batch size such as 2147483647 is a typo that
   * would exhaust memory before the first step, so it is refused when the options are read.
   */
  public static final int MAX_EXAMPLES = 4096;

  final TInt32 inputIds;
  final TFloat32 inputMask;
  final TInt32 choiceIds;
  final TFloat32 choiceMask;
  final TInt32 taskIds;
  final TInt32 labels;
  final int batch;
  final int choices;
  final int length;
  /** Token slots of one packed tensor: within a Java array and a sane TensorFlow allocation. */
  private static final long MAX_CELLS = 1L << 28;

  private ChoiceBatch(List<EncodedExample> examples, int padId) {
    batch = examples.size();
    int seq = examples.stream().mapToInt(e -> e.inputIds().length).max().orElse(1);
    choices = examples.stream().mapToInt(e -> e.choiceIds().size()).max().orElse(1);
    length = examples.stream().flatMap(e -> e.choiceIds().stream()).mapToInt(c -> c.length).max().orElse(1);
    if ((long) batch * seq > MAX_CELLS || (long) batch * choices * length > MAX_CELLS) {
      throw new TfewException("a batch of " + batch + " examples with inputs of up to " + seq + " tokens and up to "
          + choices + " answer choices of up to " + length + " tokens needs more than " + MAX_CELLS
          + " token slots; lower the batch size, or shorten the examples' choices");
    }
    int[] ids = new int[batch * seq];
    float[] mask = new float[batch * seq];
    int[] cids = new int[batch * choices * length];
    float[] cmask = new float[batch * choices * length];
    int[] tasks = new int[batch];
    int[] gold = new int[batch];
    java.util.Arrays.fill(ids, padId);
    java.util.Arrays.fill(cids, padId);
    for (int b = 0; b < batch; b++) {
      EncodedExample e = examples.get(b);
      int[] in = e.inputIds();
      for (int t = 0; t < in.length; t++) {
        ids[b * seq + t] = in[t];
        mask[b * seq + t] = 1f;
      }
      for (int c = 0; c < e.choiceIds().size(); c++) {
        int[] ch = e.choiceIds().get(c);
        int base = (b * choices + c) * length;
        for (int t = 0; t < ch.length; t++) {
          cids[base + t] = ch[t];
          cmask[base + t] = 1f;
        }
      }
      tasks[b] = e.task();
      gold[b] = Math.max(e.label(), 0);
    }
    inputIds = tensor(Shape.of(batch, seq), ids);
    inputMask = tensor(Shape.of(batch, seq), mask);
    choiceIds = tensor(Shape.of(batch, choices, length), cids);
    choiceMask = tensor(Shape.of(batch, choices, length), cmask);
    taskIds = tensor(Shape.of(batch), tasks);
    labels = tensor(Shape.of(batch), gold);
  }

  public static ChoiceBatch pack(List<EncodedExample> examples, int padId) {
    if (examples.isEmpty()) {
      throw new IllegalArgumentException("empty batch");
    }
    return new ChoiceBatch(examples, padId);
  }

  /** Feeds every placeholder of {@code graph}, labels included, from this batch. */
  public Session.Runner feed(Session.Runner runner, RankScoringGraph graph) {
    return runner
        .feed(graph.inputIds, inputIds)
        .feed(graph.inputMask, inputMask)
        .feed(graph.choiceIds, choiceIds)
        .feed(graph.choiceMask, choiceMask)
        .feed(graph.taskIds, taskIds)
        .feed(graph.labels, labels);
  }

  private static TInt32 tensor(Shape shape, int[] values) {
    TInt32 t = TInt32.tensorOf(shape);
    t.asRawTensor().data().asInts().write(values);
    return t;
  }

  private static TFloat32 tensor(Shape shape, float[] values) {
    TFloat32 t = TFloat32.tensorOf(shape);
    t.asRawTensor().data().asFloats().write(values);
    return t;
  }

  @Override
  public void close() {
    inputIds.close();
    inputMask.close();
    choiceIds.close();
    choiceMask.close();
    taskIds.close();
    labels.close();
  }
}
