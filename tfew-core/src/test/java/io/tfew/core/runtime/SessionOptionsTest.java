package io.tfew.core.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.RewriterConfig;

/** The session's ConfigProto: threads as asked, grappler on or off, and GPU memory that grows on demand. */
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
    assertThat(rewrite.getMemoryOptimization()).isEqualTo(RewriterConfig.MemOptType.NO_MEM_OPT);
    // Pruning, folding and the arithmetic and dependency rewrites stay as TensorFlow runs them (DEFAULT: on).
    for (RewriterConfig.Toggle on : new RewriterConfig.Toggle[] {rewrite.getConstantFolding(),
        rewrite.getArithmeticOptimization(), rewrite.getDependencyOptimization(),
        rewrite.getCommonSubgraphElimination()}) {
      assertThat(on).isEqualTo(RewriterConfig.Toggle.DEFAULT);
    }
    assertThat(rewrite.getDisableMetaOptimizer()).isFalse();
  }
}
