package io.tfew.experiments.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.tensorflow.proto.DeviceStepStats;
import org.tensorflow.proto.NodeExecStats;
import org.tensorflow.proto.StepStats;

class StepProfileTest {
  /** A node as the executor records it with nanosecond fields: starts at {@code start}, kernel from +1 us. */
  private static NodeExecStats node(String name, String kernel, long start, long kernelNanos) {
    return NodeExecStats.newBuilder()
        .setNodeName(name)
        .setTimelineLabel(name + " = " + kernel + "(x, y)")
        .setAllStartNanos(start)
        .setAllStartMicros(start / 1000)
        .setOpStartRelNanos(1_000)
        .setOpEndRelNanos(1_000 + kernelNanos)
        // The executor's own work after the kernel: not the op's time.
        .setAllEndRelNanos(1_000 + kernelNanos + 50_000)
        .build();
  }

  private static StepStats step(NodeExecStats... nodes) {
    return StepStats.newBuilder()
        .addDevStats(DeviceStepStats.newBuilder().setDevice("/job:localhost/replica:0/task:0/device:CPU:0")
            .addAllNodeStats(List.of(nodes)))
        .build();
  }

  private static Map<String, StepProfile.Row> byType(StepProfile p) {
    return p.rows().stream().collect(Collectors.toMap(StepProfile.Row::opType, Function.identity()));
  }

  @Test
  void sumsKernelTimePerOpTypeAndDividesBySteps() {
    StepProfile p = new StepProfile();
    // Step 1: 6 ms of MatMul in two kernels, 2 ms of Mul; step 2: 4 ms MatMul, 2 ms Mul.
    p.addStep(step(
        node("dense/MatMul", "_MklMatMul", 1_000_000_000L, 4_000_000),
        node("dense_1/MatMul", "MatMul", 1_010_000_000L, 2_000_000),
        node("mul", "Mul", 1_020_000_000L, 2_000_000)));
    p.addStep(step(
        node("dense/MatMul", "_MklMatMul", 2_000_000_000L, 4_000_000),
        node("mul", "Mul", 2_010_000_000L, 2_000_000)));

    Map<String, StepProfile.Row> rows = byType(p);
    assertThat(p.steps()).isEqualTo(2);
    assertThat(rows.get("MatMul").msPerStep()).isCloseTo(5.0, within(1e-9));
    assertThat(rows.get("MatMul").countPerStep()).isCloseTo(1.5, within(1e-9));
    assertThat(rows.get("MatMul").kernels()).containsExactly("MatMul", "_MklMatMul");
    assertThat(rows.get("Mul").msPerStep()).isCloseTo(2.0, within(1e-9));
    assertThat(rows.get("MatMul").share()).isCloseTo(10.0 / 14.0, within(1e-9));
    assertThat(p.kernelMsPerStep()).isCloseTo(7.0, within(1e-9));
    assertThat(p.rows()).extracting(StepProfile.Row::opType).containsExactly("MatMul", "Mul");
  }

  @Test
  void kernelTimeIsOpStartToOpEndAndWallIsFirstStartToLastEnd() {
    StepProfile p = new StepProfile();
    // Two overlapping nodes (two inter-op threads): kernels of 3 ms and 2 ms, each followed by 50 us of
    // executor work. Wall: 0 .. max(0 + 3.051, 1 + 2.051) ms = 3.051 ms.
    p.addStep(step(node("a", "Mul", 0L + 1, 3_000_000), node("b", "Add", 1_000_001L, 2_000_000)));
    assertThat(p.kernelMsPerStep()).isCloseTo(5.0, within(1e-9));
    assertThat(p.wallMsPerStep()).isCloseTo(3.051, within(1e-9));
  }

  @Test
  void readsMicrosecondFieldsWhenTheRuntimeFilledNoNanoseconds() {
    NodeExecStats old = NodeExecStats.newBuilder().setNodeName("mm").setTimelineLabel("mm = MatMul(a, b)")
        .setAllStartMicros(100).setOpStartRelMicros(2).setOpEndRelMicros(1_502).setAllEndRelMicros(1_600).build();
    StepProfile p = new StepProfile();
    p.addStep(step(old));
    assertThat(p.rows().get(0).msPerStep()).isCloseTo(1.5, within(1e-9));
    assertThat(p.wallMsPerStep()).isCloseTo(1.6, within(1e-9));
  }

  @Test
  void theRunsOfOneStepCountAsOneStep() {
    StepProfile p = new StepProfile();
    // LOMO's clipped step: a measuring run, then an applying run.
    p.addStep(step(node("m", "Mul", 1_000L, 1_000_000)), step(node("m", "Mul", 9_000_000L, 3_000_000)));
    assertThat(p.steps()).isEqualTo(1);
    assertThat(p.rows().get(0).msPerStep()).isCloseTo(4.0, within(1e-9));
    assertThat(p.rows().get(0).countPerStep()).isCloseTo(2.0, within(1e-9));
  }

  @Test
  void mergesOneDnnAndFusedKernelsUnderOneName() {
    assertThat(StepProfile.normalise("_MklMatMul")).isEqualTo("MatMul");
    assertThat(StepProfile.normalise("_MklNativeBatchMatMulV2")).isEqualTo("BatchMatMulV2");
    assertThat(StepProfile.normalise("_MklBatchMatMulV2")).isEqualTo("BatchMatMulV2");
    assertThat(StepProfile.normalise("_MklNativeFusedMatMul")).isEqualTo("FusedMatMul");
    assertThat(StepProfile.normalise("_FusedMatMul")).isEqualTo("FusedMatMul");
    assertThat(StepProfile.normalise("_MklSoftmax")).isEqualTo("Softmax");
    assertThat(StepProfile.normalise("BatchMatMulV3")).isEqualTo("BatchMatMulV3");
    assertThat(StepProfile.normalise("_Arg")).isEqualTo("_Arg");
    assertThat(StepProfile.normalise("_Retval")).isEqualTo("_Retval");
  }

  @Test
  void matmulShareCountsEveryMatrixProductKernel() {
    StepProfile p = new StepProfile();
    p.addStep(step(
        node("q", "_MklMatMul", 0L + 1, 1_000_000),
        node("s", "BatchMatMulV3", 10_000_000L, 1_000_000),
        node("c", "_MklBatchMatMulV2", 20_000_000L, 1_000_000),
        node("f", "_MklNativeFusedMatMul", 30_000_000L, 1_000_000),
        node("x", "_MklSoftmax", 40_000_000L, 2_000_000),
        node("e", "_MklEinsum", 60_000_000L, 2_000_000),
        node("t", "Transpose", 50_000_000L, 2_000_000)));
    assertThat(p.matmulShare()).isCloseTo(0.6, within(1e-9));
  }

  @Test
  void takesTheTypeFromTheTimelineLabelAndFallsBackToTheNodeName() {
    assertThat(StepProfile.kernelType(node("enc/attn/MatMul", "_MklMatMul", 1L, 1))).isEqualTo("_MklMatMul");
    NodeExecStats unlabelled = NodeExecStats.newBuilder().setNodeName("send_x").build();
    assertThat(StepProfile.kernelType(unlabelled)).isEqualTo("send_x");
  }

  @Test
  void printsTheTableLargestFirstWithTheMatmulShareAndTheTailOnOneLine() {
    StepProfile p = new StepProfile();
    p.addStep(step(
        node("mm", "_MklMatMul", 1L, 6_000_000),
        node("bmm", "BatchMatMulV3", 10_000_000L, 2_000_000),
        node("sm", "_MklSoftmax", 20_000_000L, 1_990_000),
        node("shape", "Shape", 30_000_000L, 5_000),
        node("c", "Const", 31_000_000L, 5_000)));
    StringWriter text = new StringWriter();
    p.print(new PrintWriter(text, true));
    List<String> lines = text.toString().lines().toList();
    assertThat(lines.get(2)).startsWith("op_type");
    assertThat(lines.get(3)).startsWith("MatMul").contains("6.00", "60.0%", "_MklMatMul");
    assertThat(lines.get(4)).startsWith("BatchMatMulV3").contains("2.00", "20.0%");
    assertThat(lines.get(5)).startsWith("Softmax").contains("_MklSoftmax");
    assertThat(lines.get(6)).startsWith("(2 other types)").contains("0.01", "0.1%", "each under 0.1%");
    assertThat(lines.get(7)).startsWith("profile: the 15 costliest sites");
    assertThat(lines.get(9)).endsWith("  mm MatMul");
    assertThat(lines.get(lines.size() - 1))
        .isEqualTo("profile: matmul share 80.0% of kernel time (MatMul + BatchMatMulV3)");
  }

  @Test
  void sitesFoldLayerNumbersSoThatOneRowCoversEveryLayer() {
    StepProfile p = new StepProfile();
    p.addStep(step(
        node("encoder.block.0.layer.1.DenseReluDense/Mul_2", "Mul", 1L, 3_000_000),
        node("encoder.block.1.layer.1.DenseReluDense/Mul_2", "Mul", 10_000_000L, 3_000_000),
        node("encoder.block.1.layer.0.SelfAttention/Mul", "Mul", 20_000_000L, 1_000_000),
        node("encoder.block.1.layer.1.DenseReluDense/Mul_2", "_MklMatMul", 30_000_000L, 2_000_000)));
    List<StepProfile.Site> sites = p.sites(2);
    assertThat(sites).extracting(StepProfile.Site::site).containsOnly("encoder.block.N.layer.N.DenseReluDense/Mul_N");
    assertThat(sites).extracting(StepProfile.Site::opType).containsExactly("Mul", "MatMul");
    assertThat(sites.get(0).msPerStep()).isCloseTo(6.0, within(1e-9));
    assertThat(sites.get(0).countPerStep()).isCloseTo(2.0, within(1e-9));
    assertThat(sites.get(0).share()).isCloseTo(6.0 / 9.0, within(1e-9));
  }

  @Test
  void refusesAStepWithoutStatsAndATableWithoutSteps() {
    assertThatThrownBy(() -> new StepProfile().addStep()).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new StepProfile().print(new PrintWriter(new StringWriter())))
        .isInstanceOf(IllegalStateException.class);
  }
}
