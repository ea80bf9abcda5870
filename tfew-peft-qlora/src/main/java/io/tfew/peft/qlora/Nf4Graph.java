package io.tfew.peft.qlora;

import java.util.List;
import java.util.function.Consumer;
import org.tensorflow.Operand;
import org.tensorflow.OperationBuilder;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TUint8;
import org.tensorflow.types.family.TType;

/**
 * Dequantisation inside the graph: packed NF4 codes and block scales back to a float32 weight
 * {@code [out, in]}, computed at every run from the resident 4-bit copy, so no float32 copy of the
 * weight outlives the matmul that uses it. The arithmetic is {@link Nf4#dequantize} and
 * {@link BlockScales#dequantize} op for op, so the graph's weight equals the Java one bit for bit.
 *
 * <pre>{@code
 * Operand<TFloat32> w = Nf4Graph.weight(tf, codes, Nf4Graph.scales(tf, absmax), out, in, 64);
 * }</pre>
 */
public final class Nf4Graph {
  private Nf4Graph() {}

  /**
   * The attribute by which grappler's memory optimizer (in {@code MANUAL} mode, as tfew's sessions run it)
   * recomputes an op for the gradients that read it, instead of keeping its output from the forward pass.
   */
  public static final String RECOMPUTE_HINT = "_recompute_hint";

  /**
   * The weight {@code [out, in]} from packed codes {@code [blocks * blockSize / 2]} (uint8, high nibble
   * first) and float32 scales {@code [blocks]}: a gather on the 16-entry codebook times the block's scale.
   * Every op of weight size carries {@link #RECOMPUTE_HINT}, so a training step computes the weight again
   * for its backward matmul rather than holding it from the forward one; the values are the same either way.
   */
  public static Operand<TFloat32> weight(Ops tf, Operand<TUint8> codes, Operand<TFloat32> scales, int out, int in,
      int blockSize) {
    long count = (long) out * in;
    int blocks = Nf4.blocks(count, blockSize);
    // Shifts and masks on int32: the codes are 0..255 either way, and int32 is the type every kernel has.
    Output<TInt32> packed = hinted(tf, "Cast", List.of(codes), b -> b.setAttr("SrcT", DataType.DT_UINT8)
        .setAttr("DstT", DataType.DT_INT32).setAttr("Truncate", false));
    Output<TInt32> high = hinted(tf, "RightShift", List.of(packed, tf.constant(4)),
        b -> b.setAttr("T", DataType.DT_INT32));
    Output<TInt32> low = hinted(tf, "BitwiseAnd", List.of(packed, tf.constant(15)),
        b -> b.setAttr("T", DataType.DT_INT32));
    OperationBuilder pack = tf.scope().opBuilder("Pack", "Pack").addInputList(new Output<?>[] {high, low})
        .setAttr("N", 2L).setAttr("T", DataType.DT_INT32).setAttr("axis", 1L).setAttr(RECOMPUTE_HINT, 0L);
    Output<TInt32> pairs = pack.build().output(0);
    Output<TInt32> index = reshape(tf, pairs, DataType.DT_INT32, -1);
    Output<TFloat32> levels = hinted(tf, "GatherV2", List.of(tf.constant(Nf4.levels()), index, tf.constant(0)),
        b -> b.setAttr("Tparams", DataType.DT_FLOAT).setAttr("Tindices", DataType.DT_INT32)
            .setAttr("Taxis", DataType.DT_INT32).setAttr("batch_dims", 0L));
    Output<TFloat32> scaled = hinted(tf, "Mul", List.of(reshape(tf, levels, DataType.DT_FLOAT, blocks, blockSize),
        tf.expandDims(scales, tf.constant(1))), b -> b.setAttr("T", DataType.DT_FLOAT));
    Output<TFloat32> flat = reshape(tf, scaled, DataType.DT_FLOAT, -1);
    if ((long) blocks * blockSize != count) {
      // The last block is padded with zero codes; drop the padding.
      flat = hinted(tf, "Slice", List.of(flat, tf.constant(new int[] {0}),
          tf.constant(new int[] {Math.toIntExact(count)})), b -> b.setAttr("T", DataType.DT_FLOAT)
          .setAttr("Index", DataType.DT_INT32));
    }
    return reshape(tf, flat, DataType.DT_FLOAT, out, in);
  }

  /** One op of the weight's computation, with {@link #RECOMPUTE_HINT}; {@code Ops} cannot add an attribute. */
  private static <T extends TType> Output<T> hinted(Ops tf, String type, List<Operand<?>> inputs,
      Consumer<OperationBuilder> attrs) {
    OperationBuilder b = tf.scope().opBuilder(type, type);
    for (Operand<?> input : inputs) {
      b.addInput(input.asOutput());
    }
    attrs.accept(b);
    b.setAttr(RECOMPUTE_HINT, 0L);
    return b.build().output(0);
  }

  private static <T extends TType> Output<T> reshape(Ops tf, Output<T> x, DataType type, int... shape) {
    return hinted(tf, "Reshape", List.of(x, tf.constant(shape)), b -> b.setAttr("T", type)
        .setAttr("Tshape", DataType.DT_INT32));
  }

  /**
   * Block scales {@code [blocks]} from double-quantised ones: unsigned codes {@code [groups * 256]},
   * float32 group scales {@code [groups]} and the offset {@code [1]}, as
   * {@code (code - 128) * groupScale + offset}.
   */
  public static Operand<TFloat32> scales(Ops tf, Operand<TUint8> codes, Operand<TFloat32> groupScale,
      Operand<TFloat32> offset, int blocks) {
    int groups = Nf4.blocks(blocks, BlockScales.GROUP);
    Operand<TFloat32> centred = tf.math.sub(tf.dtypes.cast(codes, TFloat32.class), tf.constant((float) BlockScales.ZERO));
    Operand<TFloat32> scaled = tf.math.mul(tf.reshape(centred, tf.constant(new int[] {groups, BlockScales.GROUP})),
        tf.expandDims(groupScale, tf.constant(1)));
    Operand<TFloat32> flat = tf.math.add(tf.reshape(scaled, tf.constant(new int[] {-1})), offset);
    if (groups * BlockScales.GROUP != blocks) {
      flat = tf.slice(flat, tf.constant(new int[] {0}), tf.constant(new int[] {blocks}));
    }
    return flat;
  }
}
