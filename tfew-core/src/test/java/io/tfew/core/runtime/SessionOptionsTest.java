package io.tfew.core.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.OperationBuilder;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.op.linalg.MatMul;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.RewriterConfig;
import org.tensorflow.proto.RunOptions;
import org.tensorflow.types.TFloat32;

/**
 * The session's ConfigProto: threads as asked, grappler on or off, GPU memory that grows on demand, and ops marked
 * for it recomputed for the backward pass.
 */
class SessionOptionsTest {
  @Test
  void gpuMemoryGrowsOnDemandWhateverTheOtherSettings() {
    for (SessionOptions options : new SessionOptions[] {SessionOptions.DEFAULT, new SessionOptions(1, false)}) {
      assertThat(options.proto().getGpuOptions().getAllowGrowth()).as("%s", options).isTrue();
    }
  }

  @Test
  void threadsAndTheGraphOptimizerAreAsAsked() {
    ConfigProto oneThreadNoGrappler = new SessionOptions(1, false).proto();
    assertThat(oneThreadNoGrappler.getIntraOpParallelismThreads()).isEqualTo(1);
    assertThat(oneThreadNoGrappler.getGraphOptions().getRewriteOptions().getDisableMetaOptimizer()).isTrue();
    assertThat(SessionOptions.DEFAULT.proto().getGraphOptions().getRewriteOptions().getDisableMetaOptimizer())
        .isFalse();
  }

  @Test
  void theOptimizerRunsOnePassOfTheRewritesThatChangeATransformerGraph() {
    var rewrite = SessionOptions.DEFAULT.proto().getGraphOptions().getRewriteOptions();
    assertThat(rewrite.getMetaOptimizerIterations()).isEqualTo(RewriterConfig.NumIterationsType.ONE);
    for (RewriterConfig.Toggle off : new RewriterConfig.Toggle[] {rewrite.getLayoutOptimizer(), rewrite.getRemapping(),
        rewrite.getShapeOptimization(), rewrite.getLoopOptimization(), rewrite.getImplementationSelector()}) {
      assertThat(off).isEqualTo(RewriterConfig.Toggle.OFF);
    }
    // The memory optimizer only recomputes what is marked for it, for gradient ops named as TensorFlow-Java
    // names them.
    assertThat(rewrite.getMemoryOptimization()).isEqualTo(RewriterConfig.MemOptType.MANUAL);
    assertThat(rewrite.getMemoryOptimizerTargetNodeNameScope()).isEqualTo("Gradients/");
    // Pruning, folding and the arithmetic and dependency rewrites stay as TensorFlow runs them (DEFAULT: on).
    for (RewriterConfig.Toggle on : new RewriterConfig.Toggle[] {rewrite.getConstantFolding(),
        rewrite.getArithmeticOptimization(), rewrite.getDependencyOptimization(),
        rewrite.getCommonSubgraphElimination()}) {
      assertThat(on).isEqualTo(RewriterConfig.Toggle.DEFAULT);
    }
    assertThat(rewrite.getDisableMetaOptimizer()).isFalse();
  }

  /**
   * An op built with {@code _recompute_hint} is computed again for the gradient that reads it (grappler names
   * the copy {@code Recomputed/...}), and the gradient's value is the same as without the hint.
   */
  @Test
  void aHintedOpIsRecomputedForTheGradientThatReadsItWithTheSameResult() {
    float[] plain = gradient(false, null);
    List<String> recomputed = new ArrayList<>();
    float[] hinted = gradient(true, recomputed);
    assertThat(recomputed).as("nodes that ran").contains("Recomputed/layer/weight");
    assertThat(hinted).containsExactly(plain);
    // Off when the optimizer is: nothing to recompute with.
    assertThat(gradient(true, recomputed, new SessionOptions(1, false))).containsExactly(plain);
    assertThat(recomputed).as("nodes that ran without grappler").isNotEmpty()
        .noneMatch(name -> name.startsWith("Recomputed/"));
  }

  private static float[] gradient(boolean hint, List<String> nodes) {
    return gradient(hint, nodes, SessionOptions.DEFAULT);
  }

  /** d/dx sum(tanh(x W^T)) with W = 0.5 * (a variable), the scaled weight built with or without the hint. */
  private static float[] gradient(boolean hint, List<String> nodes, SessionOptions options) {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Variable<TFloat32> x = tf.withName("x").variable(tf.constant(new float[][] {{1, -2, 3}, {0.5f, 0, -1}}));
      Variable<TFloat32> v = tf.withName("v").variable(
          tf.constant(new float[][] {{0.1f, 0.2f, -0.3f}, {0.4f, -0.5f, 0.6f}}));
      OperationBuilder b = g.opBuilder("Mul", "layer/weight", tf.scope()).addInput(v.asOutput())
          .addInput(tf.constant(0.5f).asOutput()).setAttr("T", DataType.DT_FLOAT);
      if (hint) {
        b.setAttr("_recompute_hint", 0L);
      }
      Output<TFloat32> w = b.build().output(0);
      Operand<TFloat32> y = tf.math.tanh(tf.linalg.matMul(x, w, MatMul.transposeB(true)));
      Operand<TFloat32> loss = tf.sum(y, tf.constant(new int[] {0, 1}));
      Operand<?> dx = tf.withSubScope("train").gradients(loss, List.of(x)).dy(0);
      try (Session s = new Session(g, options.proto())) {
        s.initialize();
        RunOptions partitions = RunOptions.newBuilder().setOutputPartitionGraphs(true).build();
        try (Result r = s.runner().fetch(dx).setOptions(partitions).runAndFetchMetadata()) {
          if (nodes != null) {
            nodes.clear();
            r.getMetadata().orElseThrow().getPartitionGraphsList().forEach(graph -> graph.getNodeList()
                .forEach(node -> nodes.add(node.getName())));
          }
          TFloat32 out = (TFloat32) r.get(0);
          float[] values = new float[6];
          for (int i = 0; i < 6; i++) {
            values[i] = out.getFloat(i / 3, i % 3);
          }
          return values;
        }
      }
    }
  }
}
