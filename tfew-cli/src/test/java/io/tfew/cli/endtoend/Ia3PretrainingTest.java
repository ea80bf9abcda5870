package io.tfew.cli.endtoend;

import static org.assertj.core.api.Assertions.assertThat;

import io.tfew.cli.TfewCli;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tfew pretrain --peft}: (IA)^3 vectors pre-trained on the mini-T0 mixture over a frozen model, then
 * read by the ia3 plugin's {@code init} in a {@code tfew train} run (T-Few's Table 8 path), with the real
 * plugins. A tiny model and a few steps: only the plumbing is checked.
 */
class Ia3PretrainingTest {
  @TempDir Path dir;

  @Test
  void pretrainedVectorsAreWhatATrainingRunStartsFrom() throws IOException {
    Path model = dir.resolve("model");
    TrainEndToEndTest.cli("pretrain", "--out", model.toString(), "--shape", "tiny", "--steps", "1", "--batch-size",
        "4", "--warmup", "1", "--save-every", "0");
    byte[] backbone = Files.readAllBytes(model.resolve("model.safetensors"));
    Path vectors = dir.resolve("ia3");
    String pretrained = TrainEndToEndTest.cli("pretrain", "--model", model.toString(), "--peft", "ia3", "--out",
        vectors.toString(), "--steps", "2", "--batch-size", "4", "--lr", "1e-2", "--warmup", "1", "--save-every",
        "0", "--log-every", "1");
    assertThat(pretrained).contains("step 2/2 loss").contains("adapter: " + vectors.resolve("adapter"));
    assertThat(Files.readString(vectors.resolve("adapter/adapter_config.json"))).contains("\"IA3\"");
    assertThat(Files.readString(vectors.resolve("pretrain.json"))).contains("\"peft\" : \"ia3\"")
        .contains("\"adapter_sha256\"");
    assertThat(Files.readAllBytes(model.resolve("model.safetensors"))).isEqualTo(backbone);

    // Zero steps: the run's saved adapter is its starting point, which must be the pre-trained vectors.
    // The 32 shots stand in for the 300 test rows, to keep the evaluation short.
    Path run = dir.resolve("run");
    String trained = TrainEndToEndTest.cli("train", Path.of("../experiments/mini-t0/rating.yaml").toAbsolutePath().toString(),
        "--set", "model=" + model, "--set", "train.steps=0",
        "--set", "data.eval.path=" + Path.of("../experiments/mini-t0/tasks/rating/32_shot/0_seed.jsonl").toAbsolutePath(),
        "--set", "peft[0].init=" + vectors.resolve("adapter/adapter_model.safetensors"), "--out", run.toString());
    assertThat(trained).contains("final accuracy=");
    assertThat(Files.readAllBytes(run.resolve("adapter/adapter_model.safetensors")))
        .isEqualTo(Files.readAllBytes(vectors.resolve("adapter/adapter_model.safetensors")));
  }

  @Test
  void anUnknownMethodIsRefusedWithTheInstalledOnes() {
    StringWriter err = new StringWriter();
    int status = TfewCli.run(new String[] {"pretrain", "--model", "../models/mini-t0", "--peft", "ia4", "--out",
        dir.resolve("x").toString()}, new PrintWriter(new StringWriter()), new PrintWriter(err));
    assertThat(status).isNotZero();
    assertThat(err.toString()).contains("--peft").contains("'ia4'").contains("installed: ").contains("ia3")
        .contains("lora");
    assertThat(dir.resolve("x")).doesNotExist();
  }

  @Test
  void peftNeedsAModelAndAModelNeedsPeft() {
    StringWriter err = new StringWriter();
    int status = TfewCli.run(new String[] {"pretrain", "--peft", "ia3", "--out", dir.resolve("x").toString()},
        new PrintWriter(new StringWriter()), new PrintWriter(err));
    assertThat(status).isNotZero();
    assertThat(err.toString()).contains("--model");
    StringWriter err2 = new StringWriter();
    status = TfewCli.run(new String[] {"pretrain", "--model", "../models/mini-t0", "--out", dir.resolve("x").toString()},
        new PrintWriter(new StringWriter()), new PrintWriter(err2));
    assertThat(status).isNotZero();
    assertThat(err2.toString()).contains("only used with --peft");
  }
}
