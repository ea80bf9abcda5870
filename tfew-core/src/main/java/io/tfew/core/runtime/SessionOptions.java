package io.tfew.core.runtime;

import io.tfew.api.TfewException;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.GPUOptions;
import org.tensorflow.proto.GraphOptions;
import org.tensorflow.proto.RewriterConfig;

/**
 * How a TensorFlow session runs a graph. Both settings change the float rounding of results, so a run
 * records them ({@code runtime} in an experiment config) and repeats bit for bit only with the same ones.
 *
 * <pre>{@code
 * Session s = graph.startSession(new SessionOptions(1, false)); // one thread, no graph rewriting
 * }</pre>
 *
 * @param threads intra-op threads; 0: TensorFlow's default (every core). A tiny model's ops are too small to
 *     split, so runs side by side go fastest with one thread each.
 * @param optimizeGraph run TensorFlow's graph optimizer (grappler, in the lean form of {@link #LEAN_GRAPPLER})
 *     before the first step; it fuses ops and pays off for large models, but for a model of a few million
 *     parameters it costs more start-up time than it saves.
 */
public record SessionOptions(int threads, boolean optimizeGraph) {
  /** TensorFlow's defaults: every core, graph optimizer on. */
  public static final SessionOptions DEFAULT = new SessionOptions(0, true);

  public SessionOptions {
    if (threads < 0 || threads > maxThreads()) {
      throw new TfewException("runtime.threads = " + threads + ": must be between 0 (every core) and "
          + maxThreads() + " (4 x this machine's " + Runtime.getRuntime().availableProcessors() + " cores)");
    }
  }

  /**
   * The most intra-op threads a session may ask for: four per core. More only contend, 100000 threads
   * hang the start of the session, and 2147483647 aborts the JVM inside TensorFlow.
   */
  public static int maxThreads() {
    return 4 * Runtime.getRuntime().availableProcessors();
  }

  ConfigProto proto() {
    // Two inter-op threads let independent branches (q/k/v, the two gated FFN inputs) overlap; measured
    // worth about 5% on a 2-core machine in tensorflow-java-notes.md.
    ConfigProto.Builder b = ConfigProto.newBuilder().setInterOpParallelismThreads(2)
        .setIntraOpParallelismThreads(threads)
        // Without growth, the first session of a process maps nearly all of a GPU's memory, so two sweep
        // workers given the same device (more workers than GPUs) could not both start. The CPU build ignores
        // GPU options.
        .setGpuOptions(GPUOptions.newBuilder().setAllowGrowth(true));
    b.setGraphOptions(GraphOptions.newBuilder().setRewriteOptions(optimizeGraph ? LEAN_GRAPPLER
        : RewriterConfig.newBuilder().setDisableMetaOptimizer(true).build()));
    return b.build();
  }

  /**
   * Grappler as tfew runs it: one pass of the meta-optimizer instead of TensorFlow's two, and only the
   * rewrites that change a transformer graph. Grappler runs whenever a run has a new signature, and on a
   * training graph it was most of the first step: with {@code TF_CPP_VMODULE=meta_optimizer=1}, t5-small's
   * first step spent 4.05 of its 4.77 s in it, half of that in the second pass, which removed 139 of 7,287
   * nodes (shape arithmetic folded, control edges pruned). Off: the layout optimizer (convolution layouts; T5
   * has none), the memory optimizer's heuristics (GPU swapping), and the remapper, shape, loop and
   * implementation-selector passes, which left every tfew graph logged unchanged (same node and edge counts: no
   * fusion, no rewrite) while the remapper alone took 0.86 s of t5-small-gated's first step. Pruning, common-subgraph
   * elimination, constant folding and the arithmetic and dependency rewrites run as before. The first step
   * went from 4.7 to about 2.9 s (t5-small) and from 14.2 to about 6 s (t5-base), with the steady step the
   * same within its noise ({@code tfew bench startup}, {@code tfew bench train --no-torch}).
   *
   * <p>The memory optimizer runs in {@code MANUAL} mode: it rewrites nothing but ops built with the
   * {@code _recompute_hint} attribute, which it recomputes for the gradient ops that read them instead of
   * keeping their outputs from the forward pass (QLoRA's dequantised weights). Gradient ops are found by name,
   * and TensorFlow-Java names them {@code .../Gradients/...}, not the {@code gradients/} the optimizer looks
   * for by default. On a graph without such ops it changes nothing and takes little: 23 ms of t5-small's
   * 1.70 s first step ({@code TF_CPP_VMODULE=meta_optimizer=1}, {@code tfew bench startup}).
   */
  static final RewriterConfig LEAN_GRAPPLER = RewriterConfig.newBuilder()
      .setMetaOptimizerIterations(RewriterConfig.NumIterationsType.ONE)
      .setLayoutOptimizer(RewriterConfig.Toggle.OFF)
      .setMemoryOptimization(RewriterConfig.MemOptType.MANUAL)
      .setMemoryOptimizerTargetNodeNameScope("Gradients/")
      .setRemapping(RewriterConfig.Toggle.OFF)
      .setShapeOptimization(RewriterConfig.Toggle.OFF)
      .setLoopOptimization(RewriterConfig.Toggle.OFF)
      .setImplementationSelector(RewriterConfig.Toggle.OFF)
      .build();
}
