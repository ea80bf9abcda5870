package io.tfew.core.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.tensorflow.proto.ConfigProto;

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
}
