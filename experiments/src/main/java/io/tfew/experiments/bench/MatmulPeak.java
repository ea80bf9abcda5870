package io.tfew.experiments.bench;

import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.op.random.RandomUniform;
import org.tensorflow.types.TFloat32;

/**
 * The machine's float32 matmul rate as TensorFlow-Java reaches it: a product of two variables, run as a
 * target (nothing copied out), in the session settings tfew trains with (two inter-op threads, TensorFlow's
 * default intra-op pool, oneDNN as the launcher sets it). Reports the best of {@code blocks} averages, as
 * {@code bench/torch_t5_ia3_step.py} does for torch.
 *
 * <pre>{@code
 * double peak = MatmulPeak.gflops(1024, 10, 5);                  // the machine's 1024^3 rate
 * double heads = MatmulPeak.gflops(new StepMatmuls.Product(64, 256, 64, 256, 1), 0.1, 3); // one shape
 * }</pre>
 */
public final class MatmulPeak {
  private MatmulPeak() {}

  /** {@code n x n} by {@code n x n}, {@code reps} runs (of a few products each) per block. */
  public static double gflops(int n, int reps, int blocks) {
    return measure(new StepMatmuls.Product(1, n, n, n, 1), reps, 0, blocks, 1);
  }

  /**
   * Products of {@code p}'s shape (its count ignored) as the training graph runs them: a 2-D {@code MatMul},
   * or a batched {@code Einsum} (the op tfew's attention uses, which oneDNN runs as a batched matmul), the
   * better of one at a time and two at once. The training session runs independent ops side by side (two
   * inter-op threads), and a narrow product, which alone leaves part of the machine idle, runs two at once
   * near the machine's rate: on the 2-core CI machine t5-small's {@code [2048 x 512] x [512 x 512]} reached
   * 84 GFLOP/s alone and 152 two at once. Each block runs for at least {@code blockSeconds}.
   */
  public static double gflops(StepMatmuls.Product p, double blockSeconds, int blocks) {
    return Math.max(measure(p, 0, blockSeconds, blocks, 1), measure(p, 0, blockSeconds, blocks, 2));
  }

  private static void run(Session session, java.util.List<Op> targets) {
    Session.Runner runner = session.runner();
    targets.forEach(runner::addTarget);
    runner.run().close();
  }

  /** Products per run; see {@link #measure}. */
  private static final int CHAIN = 4;

  private static double measure(StepMatmuls.Product p, int fixedReps, double blockSeconds, int blocks, int lanes) {
    boolean batched = p.batch() > 1;
    Shape left = batched ? Shape.of(p.batch(), p.m(), p.k()) : Shape.of(p.m(), p.k());
    Shape right = batched ? Shape.of(p.batch(), p.k(), p.n()) : Shape.of(p.k(), p.n());
    double flops = 2.0 * p.batch() * p.m() * p.k() * p.n() * CHAIN * lanes;
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Variable<TFloat32> a = tf.variable(left, TFloat32.class);
      Variable<TFloat32> b = tf.variable(right, TFloat32.class);
      // Uniform [0, 1) values drawn in the graph: no zeros, denormals or NaNs to make a kernel faster or slower.
      Op initA = tf.assign(a, tf.random.randomUniform(tf.constant(left.asArray()), TFloat32.class,
          RandomUniform.seed(5L).seed2(1L)));
      Op initB = tf.assign(b, tf.random.randomUniform(tf.constant(right.asArray()), TFloat32.class,
          RandomUniform.seed(5L).seed2(2L)));
      // A chain of products, each waiting for the one before, so that one run times several one after another
      // as the training graph's executor runs them, and the cost of a Session.run is not counted in a small one.
      // Every product is a target: grappler would turn one whose output only feeds a control edge into a NoOp.
      // Each lane is a chain; lanes are independent of each other, so the executor may run them side by side.
      java.util.List<Op> chain = new java.util.ArrayList<>();
      for (int lane = 0; lane < lanes; lane++) {
        Op previous = null;
        for (int i = 0; i < CHAIN; i++) {
          Ops scope = previous == null ? tf : tf.withControlDependencies(java.util.List.of(previous));
          previous = batched
              ? scope.linalg.einsum(java.util.List.of(a, b), "bmk,bkn->bmn")
              : scope.linalg.matMul(a, b);
          chain.add(previous);
        }
      }
      var proto = org.tensorflow.proto.ConfigProto.newBuilder().setInterOpParallelismThreads(2).build();
      try (Session session = new Session(g, proto)) {
        run(session, java.util.List.of(initA, initB));
        // Warm-up; its time sizes a block when the block is given in seconds.
        long w0 = System.nanoTime();
        for (int i = 0; i < 3; i++) {
          run(session, chain);
        }
        double perRun = (System.nanoTime() - w0) / 3e9;
        int reps = fixedReps > 0 ? fixedReps : (int) Math.max(1, Math.min(1_000_000, Math.ceil(blockSeconds / perRun)));
        double best = 0;
        for (int block = 0; block < blocks; block++) {
          long t0 = System.nanoTime();
          for (int i = 0; i < reps; i++) {
            run(session, chain);
          }
          double seconds = (System.nanoTime() - t0) / 1e9;
          best = Math.max(best, flops * reps / seconds / 1e9);
        }
        return best;
      }
    }
  }
}
