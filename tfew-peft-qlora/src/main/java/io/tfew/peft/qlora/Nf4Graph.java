package io.tfew.peft.qlora;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Stack;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TUint8;

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
   * The weight {@code [out, in]} from packed codes {@code [blocks * blockSize / 2]} (uint8, high nibble
   * first) and float32 scales {@code [blocks]}: a gather on the 16-entry codebook times the block's scale.
   */
  public static Operand<TFloat32> weight(Ops tf, Operand<TUint8> codes, Operand<TFloat32> scales, int out, int in,
      int blockSize) {
    long count = (long) out * in;
    int blocks = Nf4.blocks(count, blockSize);
    // Shifts and masks on int32: the codes are 0..255 either way, and int32 is the type every kernel has.
    Operand<TInt32> packed = tf.dtypes.cast(codes, TInt32.class);
    Operand<TInt32> high = tf.bitwise.rightShift(packed, tf.constant(4));
    Operand<TInt32> low = tf.bitwise.bitwiseAnd(packed, tf.constant(15));
    Operand<TInt32> index = tf.reshape(tf.stack(List.of(high, low), Stack.axis(1L)), tf.constant(new int[] {-1}));
    Operand<TFloat32> levels = tf.gather(tf.constant(Nf4.levels()), index, tf.constant(0));
    Operand<TFloat32> scaled = tf.math.mul(tf.reshape(levels, tf.constant(new int[] {blocks, blockSize})),
        tf.expandDims(scales, tf.constant(1)));
    Operand<TFloat32> flat = tf.reshape(scaled, tf.constant(new int[] {-1}));
    if ((long) blocks * blockSize != count) {
      // The last block is padded with zero codes; drop the padding.
      flat = tf.slice(flat, tf.constant(new int[] {0}), tf.constant(new int[] {Math.toIntExact(count)}));
    }
    return tf.reshape(flat, tf.constant(new int[] {out, in}));
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
