package io.tfew.experiments.bench;

import java.util.SplittableRandom;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * The machine's float32 matmul rate as TensorFlow-Java reaches it: an {@code n x n} by {@code n x n} MatMul
 * over two variables, run as a target (nothing copied out), in the session settings tfew trains with
 * (two inter-op threads, TensorFlow's default intra-op pool). Reports the best of {@code blocks} averages
 * over {@code reps} runs, as {@code bench/torch_t5_ia3_step.py} does for torch.
 */
public final class MatmulPeak {
  private MatmulPeak() {}

  public static double gflops(int n, int reps, int blocks) {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> feed = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(n, n)));
      Variable<TFloat32> a = tf.variable(Shape.of(n, n), TFloat32.class);
      Variable<TFloat32> b = tf.variable(Shape.of(n, n), TFloat32.class);
      Op initA = tf.assign(a, feed);
      Op initB = tf.assign(b, feed);
      Op product = tf.linalg.matMul(a, b);
      var proto = org.tensorflow.proto.ConfigProto.newBuilder().setInterOpParallelismThreads(2).build();
      try (Session session = new Session(g, proto)) {
        SplittableRandom random = new SplittableRandom(5);
        float[] values = new float[n * n];
        for (Op init : new Op[] {initA, initB}) {
          for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextDouble();
          }
          try (TFloat32 t = TFloat32.tensorOf(Shape.of(n, n))) {
            t.asRawTensor().data().asFloats().write(values);
            session.runner().feed(feed, t).addTarget(init).run().close();
          }
        }
        for (int i = 0; i < 3; i++) {
          session.runner().addTarget(product).run().close();
        }
        double best = 0;
        for (int block = 0; block < blocks; block++) {
          long t0 = System.nanoTime();
          for (int i = 0; i < reps; i++) {
            session.runner().addTarget(product).run().close();
          }
          double seconds = (System.nanoTime() - t0) / 1e9;
          best = Math.max(best, 2.0 * n * n * n * reps / seconds / 1e9);
        }
        return best;
      }
    }
  }
}
