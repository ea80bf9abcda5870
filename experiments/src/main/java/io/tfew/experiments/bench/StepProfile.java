package io.tfew.experiments.bench;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import org.tensorflow.proto.DeviceStepStats;
import org.tensorflow.proto.NodeExecStats;
import org.tensorflow.proto.StepStats;

/**
 * Where a traced {@code Session.run} spent its time, by op type: the {@code step_stats} of
 * {@code RunMetadata} from runs made with {@code RunOptions} trace level {@code FULL_TRACE}, summed over
 * steps and divided by their number.
 *
 * <p>A node's time is its kernel's compute time, {@code op_start_rel} to {@code op_end_rel} (nanoseconds
 * where the runtime filled them, else microseconds). {@code all_end_rel} would add the executor's own work
 * after the kernel returns (propagating outputs, freeing inputs), which belongs to no op type and would
 * charge every cheap op alike. With several inter-op threads kernels overlap, so the summed kernel time may
 * exceed the step's wall time; shares are of the summed kernel time.
 *
 * <p>The op type is the kernel that ran, read from the node's timeline label ({@code "name = Type(inputs)"}):
 * the graph's own op type is not enough, because oneDNN and Grappler rewrite nodes ({@code MatMul} runs as
 * {@code _MklMatMul}, a MatMul followed by a bias add as {@code _FusedMatMul}). Rows merge those variants
 * under one name ({@link #normalise}) and list the kernels they merged.
 *
 * <p>Example: {@code profile.addStep(result.getMetadata().orElseThrow().getStepStats());} once per traced
 * step, then {@code profile.print(out)}.
 */
public final class StepProfile {
  /** One op type's time per step: {@code kernels} are the raw kernel names merged into it. */
  public record Row(String opType, double msPerStep, double share, double countPerStep, List<String> kernels) {}

  /** One site's time per step: {@code site} is a node name with its numbers folded to {@code N}. */
  public record Site(String site, String opType, double msPerStep, double share, double countPerStep) {}

  private static final class Total {
    long nanos;
    long count;
    final TreeSet<String> kernels = new TreeSet<>();
  }

  private static final double SMALL_SHARE = 0.001;
  private static final int SITES = 15;

  private final Map<String, Total> totals = new LinkedHashMap<>();
  private final Map<SiteKey, Total> sites = new LinkedHashMap<>();

  private record SiteKey(String site, String opType) {}
  private int steps;
  private long wallNanos;
  private long kernelNanos;

  /** Adds one step: the step stats of each {@code Session.run} it made (usually one). */
  public void addStep(StepStats... runs) {
    if (runs.length == 0) {
      throw new IllegalArgumentException("a step has at least one run's step stats");
    }
    for (StepStats run : runs) {
      long first = Long.MAX_VALUE;
      long last = Long.MIN_VALUE;
      for (DeviceStepStats device : run.getDevStatsList()) {
        for (NodeExecStats node : device.getNodeStatsList()) {
          boolean nanos = node.getAllStartNanos() != 0;
          long start = nanos ? node.getAllStartNanos() : node.getAllStartMicros() * 1000;
          long end = start + (nanos ? node.getAllEndRelNanos() : node.getAllEndRelMicros() * 1000);
          long kernel = nanos ? node.getOpEndRelNanos() - node.getOpStartRelNanos()
              : (node.getOpEndRelMicros() - node.getOpStartRelMicros()) * 1000;
          first = Math.min(first, start);
          last = Math.max(last, end);
          String raw = kernelType(node);
          Total t = totals.computeIfAbsent(normalise(raw), k -> new Total());
          t.nanos += Math.max(0, kernel);
          t.count++;
          t.kernels.add(raw);
          Total site = sites.computeIfAbsent(new SiteKey(site(node.getNodeName()), normalise(raw)), k -> new Total());
          site.nanos += Math.max(0, kernel);
          site.count++;
          site.kernels.add(raw);
          kernelNanos += Math.max(0, kernel);
        }
      }
      if (first <= last) {
        wallNanos += last - first;
      }
    }
    steps++;
  }

  public int steps() {
    return steps;
  }

  /** Milliseconds per step from the first node's start to the last node's end, summed over the step's runs. */
  public double wallMsPerStep() {
    return steps == 0 ? 0 : wallNanos / 1e6 / steps;
  }

  /** Kernel milliseconds per step, summed over every node (and so over inter-op threads). */
  public double kernelMsPerStep() {
    return steps == 0 ? 0 : kernelNanos / 1e6 / steps;
  }

  /** Op types by time per step, the largest first (ties by name, so the order is stable). */
  public List<Row> rows() {
    List<Row> rows = new ArrayList<>();
    totals.forEach((type, t) -> rows.add(new Row(type, t.nanos / 1e6 / steps,
        kernelNanos == 0 ? 0 : (double) t.nanos / kernelNanos, (double) t.count / steps, List.copyOf(t.kernels))));
    rows.sort(Comparator.comparingDouble(Row::msPerStep).reversed().thenComparing(Row::opType));
    return rows;
  }

  /**
   * The same time by site: node names with every number folded to {@code N} (so the twelve layers'
   * {@code block.3.layer.0.SelfAttention/Mul_2} are one row) and the op type, the largest first. It says
   * which of a type's many nodes cost the time (which {@code Mul}: dropout, the norm, the activation).
   */
  public List<Site> sites(int limit) {
    List<Site> rows = new ArrayList<>();
    sites.forEach((key, t) -> rows.add(new Site(key.site(), key.opType(), t.nanos / 1e6 / steps,
        kernelNanos == 0 ? 0 : (double) t.nanos / kernelNanos, (double) t.count / steps)));
    rows.sort(Comparator.comparingDouble(Site::msPerStep).reversed().thenComparing(Site::site)
        .thenComparing(Site::opType));
    return List.copyOf(rows.subList(0, Math.min(limit, rows.size())));
  }

  static String site(String nodeName) {
    return nodeName.replaceAll("[0-9]+", "N");
  }

  /** The share of kernel time in matrix products ({@link #isMatmul}), oneDNN and fused kernels included. */
  public double matmulShare() {
    return rows().stream().filter(r -> isMatmul(r.opType())).mapToDouble(Row::share).sum();
  }

  /**
   * The kernel's op type from its timeline label ({@code "name = Type(inputs)"}, as TensorFlow's executor
   * writes it); the node name when the label is missing or has another form (send/recv nodes).
   */
  static String kernelType(NodeExecStats node) {
    String label = node.getTimelineLabel();
    int eq = label.indexOf(" = ");
    int paren = label.indexOf('(', eq + 3);
    if (eq < 0 || paren < 0) {
      return node.getNodeName().isEmpty() ? "(unnamed)" : node.getNodeName();
    }
    return label.substring(eq + 3, paren);
  }

  /**
   * One name per operation whatever kernel ran it: oneDNN's {@code _Mkl}/{@code _MklNative} prefixes go
   * ({@code _MklBatchMatMulV2} is {@code BatchMatMulV2}), and so does the underscore of Grappler's fused ops
   * ({@code _FusedMatMul}, {@code _MklNativeFusedMatMul}: {@code FusedMatMul}). Executor-internal ops
   * ({@code _Arg}, {@code _Retval}, {@code _SOURCE}) keep their names.
   */
  public static String normalise(String kernel) {
    String name = kernel;
    if (name.startsWith("_MklNative")) {
      name = name.substring("_MklNative".length());
    } else if (name.startsWith("_Mkl")) {
      name = name.substring("_Mkl".length());
    }
    if (name.startsWith("_Fused")) {
      name = name.substring(1);
    }
    return name;
  }

  /**
   * Whether a normalised op type is a matrix product: MatMul, BatchMatMul (V2, V3), their fused forms, and
   * Einsum (tfew's attention products, which oneDNN runs as batched matmuls).
   */
  public static boolean isMatmul(String opType) {
    return opType.contains("MatMul") || opType.equals("Einsum");
  }

  /** Prints the table, then the matmul share, as {@code tfew bench train --profile} shows them. */
  public void print(PrintWriter out) {
    if (steps == 0) {
      throw new IllegalStateException("no traced steps");
    }
    out.printf(Locale.ROOT, "profile: %d traced step%s (RunOptions FULL_TRACE -> RunMetadata.step_stats); time per "
        + "node = its kernel's op_start..op_end%n", steps, steps == 1 ? "" : "s");
    out.printf(Locale.ROOT, "profile: wall %.1f ms/step (first node start to last node end; tracing adds "
        + "overhead), kernel time %.1f ms/step summed over all nodes and threads%n", wallMsPerStep(),
        kernelMsPerStep());
    out.printf(Locale.ROOT, "%-28s %12s %7s %9s  %s%n", "op_type", "ms_per_step", "share", "count", "kernels");
    // The long tail (shape arithmetic, constants, the executor's own ops) is one line, so the table stays
    // readable; rows() keeps every type.
    double restMs = 0;
    double restShare = 0;
    double restCount = 0;
    int restTypes = 0;
    for (Row r : rows()) {
      if (r.share() < SMALL_SHARE) {
        restMs += r.msPerStep();
        restShare += r.share();
        restCount += r.countPerStep();
        restTypes++;
        continue;
      }
      String kernels = r.kernels().equals(List.of(r.opType())) ? "" : String.join(",", r.kernels());
      out.printf(Locale.ROOT, "%-28s %12.2f %6.1f%% %9s  %s%n", r.opType(), r.msPerStep(), 100 * r.share(),
          count(r.countPerStep()), kernels);
    }
    if (restTypes > 0) {
      out.printf(Locale.ROOT, "%-28s %12.2f %6.1f%% %9s  each under %.1f%%%n", "(" + restTypes + " other types)",
          restMs, 100 * restShare, count(restCount), 100 * SMALL_SHARE);
    }
    out.printf(Locale.ROOT, "profile: the %d costliest sites (node names, numbers folded to N)%n", SITES);
    out.printf(Locale.ROOT, "%12s %7s %9s  %s%n", "ms_per_step", "share", "count", "site op_type");
    for (Site r : sites(SITES)) {
      out.printf(Locale.ROOT, "%12.2f %6.1f%% %9s  %s %s%n", r.msPerStep(), 100 * r.share(), count(r.countPerStep()),
          r.site(), r.opType());
    }
    List<String> matmuls = rows().stream().map(Row::opType).filter(StepProfile::isMatmul).toList();
    out.printf(Locale.ROOT, "profile: matmul share %.1f%% of kernel time (%s)%n", 100 * matmulShare(),
        matmuls.isEmpty() ? "no matmul kernels ran" : String.join(" + ", matmuls));
  }

  private static String count(double perStep) {
    return perStep == Math.rint(perStep) ? String.valueOf((long) perStep)
        : String.format(Locale.ROOT, "%.1f", perStep);
  }
}
