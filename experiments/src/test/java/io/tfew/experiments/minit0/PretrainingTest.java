package io.tfew.experiments.minit0;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tfew.api.TfewException;
import io.tfew.core.checkpoint.Checkpoint;
import io.tfew.core.model.SiteRewrites;
import io.tfew.core.model.T5Config;
import io.tfew.core.runtime.ModelGraph;
import io.tfew.core.testing.TinyTraining;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Session;

class PretrainingTest {
  @TempDir static Path shared;
  @TempDir Path dir;

  private static final Pretraining.Options TINY = new Pretraining.Options("tiny", 5, 8, 2e-3, 2, 0.05, 1.0, 0, 7);

  private static List<Double> reference;

  /** The run every test compares with, made once. */
  @BeforeAll
  static void pretrainTheReference() {
    reference = pretrain(shared.resolve("a"), TINY);
  }

  private static List<Double> pretrain(Path out, Pretraining.Options options) {
    List<Double> losses = new ArrayList<>();
    Pretraining.run(out, options, TinyTraining.GOLD_NLL, false, (step, loss, lr) -> losses.add(loss));
    return losses;
  }

  @Test
  void writesALoadableHuggingFaceDirectoryAndTheSameBytesTwice() throws IOException {
    List<Double> first = reference;
    List<Double> second = pretrain(dir.resolve("b"), TINY);
    assertThat(first).hasSize(5).allSatisfy(l -> assertThat(l).isFinite().isPositive());
    assertThat(second).isEqualTo(first);
    assertThat(Files.readAllBytes(dir.resolve("b/model.safetensors")))
        .isEqualTo(Files.readAllBytes(shared.resolve("a/model.safetensors")));
    assertThat(shared.resolve("a/tokenizer.json")).isRegularFile();

    T5Config config = T5Config.read(shared.resolve("a/config.json"));
    assertThat(config.vocabSize()).isEqualTo(MiniT0Model.vocabSize());
    assertThat(config.tieWordEmbeddings()).isFalse();
    try (ModelGraph graph = new ModelGraph(config, SiteRewrites.none(), false, 1, 1);
        Session session = graph.startSession();
        Checkpoint checkpoint = Checkpoint.open(shared.resolve("a"))) {
      graph.weights().load(session, checkpoint, n -> { });
    }
  }

  @Test
  void trainingChangesTheRandomWeightsItStartsFrom() throws IOException {
    Path init = dir.resolve("init");
    Files.createDirectories(init);
    io.tfew.core.model.RandomCheckpointWriter.write(MiniT0Model.byName("tiny"), init, TINY.seed());
    assertThat(Files.size(shared.resolve("a/model.safetensors"))).isEqualTo(Files.size(init.resolve("model.safetensors")));
    assertThat(Files.readAllBytes(shared.resolve("a/model.safetensors")))
        .isNotEqualTo(Files.readAllBytes(init.resolve("model.safetensors")));
  }

  @Test
  void aResumedRunEndsWithTheBytesOfAnUninterruptedOne() throws IOException {
    Pretraining.Options firstPart = new Pretraining.Options("tiny", 5, 8, 2e-3, 2, 0.05, 1.0, 3, 7);
    Path resumed = dir.resolve("r");
    // Stop after the state written at step 3 by failing the listener, then resume.
    assertThatThrownBy(() -> Pretraining.run(resumed, firstPart, TinyTraining.GOLD_NLL, false, (step, loss, lr) -> {
      if (step == 4) {
        throw new IllegalStateException("interrupted");
      }
    })).hasMessage("interrupted");
    Pretraining.Outcome outcome = Pretraining.run(resumed, firstPart, TinyTraining.GOLD_NLL, true, (s, l, r) -> { });
    assertThat(outcome.startStep()).isEqualTo(3);
    assertThat(Files.readAllBytes(resumed.resolve("model.safetensors")))
        .isEqualTo(Files.readAllBytes(shared.resolve("a/model.safetensors")));
  }

  @Test
  void badOptionsNameTheFlagAndTheFix() {
    assertThatThrownBy(() -> new Pretraining.Options("huge", 5, 8, 2e-3, 2, 0.05, 1.0, 0, 7))
        .isInstanceOf(TfewException.class).hasMessageContaining("--shape 'huge'").hasMessageContaining("mini");
    assertThatThrownBy(() -> new Pretraining.Options("tiny", 5, 8, 2e-3, 6, 0.05, 1.0, 0, 7))
        .isInstanceOf(TfewException.class).hasMessageContaining("--warmup");
    assertThatThrownBy(() -> new Pretraining.Options("tiny", 0, 8, 2e-3, 0, 0.05, 1.0, 0, 7))
        .isInstanceOf(TfewException.class).hasMessageContaining("steps");
    assertThatThrownBy(() -> new Pretraining.Options("tiny", 5, 8, -1, 0, 0.05, 1.0, 0, 7))
        .isInstanceOf(TfewException.class).hasMessageContaining("lr");
  }
}
