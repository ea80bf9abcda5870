package io.tfew.experiments.bench;

import io.tfew.api.TfewException;
import io.tfew.core.model.FfnActivation;
import io.tfew.core.model.T5Config;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code bench/torch_t5_ia3_step.py} running as a child process in its {@code --serve} mode: it builds
 * the PyTorch eager model once, then runs blocks of training steps on request, so that the two sides can
 * take turns on the same cores without paying torch's start-up each round.
 */
public final class TorchReference implements AutoCloseable {
  private final Process process;
  private final BufferedReader out;
  private final Writer in;
  /** Matmul FLOPs the script counts for its own step. */
  public final long flopsPerStep;
  /** The script's line naming torch's version, thread count and the BLAS library it loaded. */
  public final String description;

  private TorchReference(Process process) throws IOException {
    this.process = process;
    this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    long flops = -1;
    String desc = null;
    String line;
    while (!"ready".equals(line = readLine())) {
      if (line.startsWith("flops_per_step=")) {
        flops = Long.parseLong(line.substring("flops_per_step=".length()));
      } else if (line.startsWith("torch_version=")) {
        desc = line;
      }
    }
    this.flopsPerStep = flops;
    this.description = desc;
  }

  /**
   * Starts the script for the shape of {@code config}; the reference implements only T5 v1.1's layout
   * (gated-GELU FFN, untied head).
   */
  public static TorchReference start(String python, Path script, T5Config c, int batch, int inputLen, int choices,
      int choiceLen) {
    if (!c.gatedFfn() || c.activation() != FfnActivation.GELU_NEW || c.tieWordEmbeddings()) {
      throw new TfewException("bench train: the PyTorch reference implements gated-GELU T5 with an untied head "
          + "only; use --shape t5-small-gated or tiny, or --no-torch");
    }
    List<String> cmd = new ArrayList<>(List.of(python, script.toString(), "--serve",
        "--d-model", "" + c.dModel(), "--heads", "" + c.numHeads(), "--d-kv", "" + c.dKv(), "--d-ff", "" + c.dFf(),
        "--layers", "" + c.numLayers(), "--decoder-layers", "" + c.numDecoderLayers(), "--vocab", "" + c.vocabSize(),
        "--buckets", "" + c.relativeAttentionNumBuckets(), "--max-distance", "" + c.relativeAttentionMaxDistance(),
        "--dropout", "" + c.dropoutRate(), "--batch", "" + batch, "--input-len", "" + inputLen,
        "--choices", "" + choices, "--choice-len", "" + choiceLen));
    try {
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
      return new TorchReference(pb.start());
    } catch (IOException e) {
      throw new TfewException("bench train: could not run the PyTorch reference (" + String.join(" ", cmd) + "): "
          + e.getMessage() + "; install Debian's python3-torch and libopenblas0-pthread, pass --python, or use "
          + "--no-torch", e);
    }
  }

  /** torch's float32 1024^3 matmul rate, GFLOP/s. */
  public double matmulGflops() {
    send("peak");
    String line = readLine();
    if (!line.startsWith("torch_matmul_gflops=")) {
      throw new TfewException("bench train: unexpected reply from the PyTorch reference: " + line);
    }
    return Double.parseDouble(line.substring("torch_matmul_gflops=".length()));
  }

  /** Runs {@code steps} training steps and returns the milliseconds of each. */
  public double[] run(int steps) {
    send("run " + steps);
    double[] ms = new double[steps];
    int i = 0;
    String line;
    while (!"done".equals(line = readLine())) {
      if (line.startsWith("step_ms=") && i < steps) {
        ms[i++] = Double.parseDouble(line.substring("step_ms=".length()).split(" ")[0]);
      }
    }
    if (i != steps) {
      throw new TfewException("bench train: the PyTorch reference reported " + i + " of " + steps + " steps");
    }
    return ms;
  }

  private void send(String command) {
    try {
      in.write(command + "\n");
      in.flush();
    } catch (IOException e) {
      throw new TfewException("bench train: the PyTorch reference stopped: " + e.getMessage(), e);
    }
  }

  private String readLine() {
    try {
      String line = out.readLine();
      if (line == null) {
        int code = process.waitFor();
        throw new TfewException("bench train: the PyTorch reference exited (status " + code
            + "); its error is above");
      }
      return line.strip();
    } catch (IOException e) {
      throw new TfewException("bench train: reading from the PyTorch reference failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TfewException("bench train: interrupted", e);
    }
  }

  @Override
  public void close() {
    try {
      send("quit");
      in.close();
    } catch (RuntimeException | IOException e) {
      // already gone
    }
    try {
      if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroy();
      }
    } catch (InterruptedException e) {
      process.destroy();
      Thread.currentThread().interrupt();
    }
  }
}
