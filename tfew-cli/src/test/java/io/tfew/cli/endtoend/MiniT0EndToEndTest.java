package io.tfew.cli.endtoend;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mini-T0 path end to end with the real plugins: {@code tfew pretrain} writes a model (tiny shape, a
 * few steps) that {@code tfew train} then adapts with the held-out rating recipe, zero-shot and final
 * evaluation included. Accuracies are not checked: a 3-step model is near chance by design.
 */
class MiniT0EndToEndTest {
  @TempDir Path dir;

  @Test
  void aPretrainedModelRunsTheHeldOutRecipe() {
    Path model = dir.resolve("model");
    String pretrained = TrainEndToEndTest.cli("pretrain", "--out", model.toString(), "--shape", "tiny", "--steps", "3",
        "--batch-size", "4", "--warmup", "1", "--save-every", "0", "--log-every", "1");
    assertThat(pretrained).contains("step 3/3 loss").contains("model: " + model);
    assertThat(model.resolve("pretrain.json")).isRegularFile();
    assertThat(model.resolve("loss.jsonl")).isRegularFile();

    String trained = TrainEndToEndTest.cli("train", Path.of("../experiments/mini-t0/rating.yaml").toAbsolutePath().toString(),
        "--set", "model=" + model, "--set", "train.steps=2", "--out", dir.resolve("run").toString());
    assertThat(trained).contains("zero_shot accuracy=").contains("final accuracy=");
    assertThat(dir.resolve("run/predictions")).isDirectoryContaining(p -> p.getFileName().toString().startsWith("final-"));
  }
}
