package io.tfew.experiments.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tfew.api.TfewException;
import io.tfew.core.optim.Adafactor;
import io.tfew.core.optim.AdamW;
import io.tfew.core.testing.SharedFixtures;
import io.tfew.core.testing.TestPlugins;
import io.tfew.experiments.config.ExperimentConfig;
import java.io.IOException;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingStepTest {
  @TempDir
  Path tmp;

  private ExperimentConfig load(String... sets) throws IOException {
    Path exp = tmp.resolve("exp.yaml");
    Files.writeString(exp, "model: m\ndata: {train: {path: t}}\n");
    try (URLClassLoader loader = TestPlugins.loader(Files.createDirectories(tmp.resolve("plugins")))) {
      return ExperimentConfig.load(exp, Arrays.asList(sets), TestPlugins.registry(loader));
    }
  }

  @Test
  void trainingUsesTheCheckpointsDropoutUnlessTrainDropoutSetsOne() throws IOException {
    Path model = Files.createDirectories(tmp.resolve("model"));
    String json = Files.readString(SharedFixtures.path("fixtures/t5-parity/t0-tiny/config.json"));
    assertThat(json).contains("\"dropout_rate\": 0.1");
    Files.writeString(model.resolve("config.json"), json.replace("\"dropout_rate\": 0.1", "\"dropout_rate\": 0.25"));

    assertThat(ExperimentSession.modelConfig(load(), model).dropoutRate()).isEqualTo(0.25);
    assertThat(ExperimentSession.modelConfig(load("train.dropout=0"), model).dropoutRate()).isEqualTo(0.0);
  }

  @Test
  void adafactorGetsTFewsOptionsByDefault() throws IOException {
    assertThat(TrainingStep.optimizer(load())).isInstanceOfSatisfying(Adafactor.class,
        a -> assertThat(a.options()).isEqualTo(Adafactor.Options.tfew()));
  }

  @Test
  void adafactorsScaleParameterAndRelativeStepAreConfigurable() throws IOException {
    Adafactor a = (Adafactor) TrainingStep.optimizer(load("train.scale_parameter=false", "train.relative_step=true"));

    assertThat(a.options().scaleParameter()).isFalse();
    assertThat(a.options().relativeStep()).isTrue();
    assertThat(a.options().warmupInit()).isFalse();
  }

  @Test
  void anAdafactorOptionWithAnotherOptimizerIsAnError() throws IOException {
    assertThat(TrainingStep.optimizer(load("train.optimizer=adamw"))).isInstanceOf(AdamW.class);
    assertThatThrownBy(() -> TrainingStep.optimizer(load("train.optimizer=adamw", "train.scale_parameter=false")))
        .isInstanceOf(TfewException.class)
        .hasMessage("--set train.scale_parameter: train.scale_parameter is an Adafactor option but train.optimizer "
            + "is adamw; remove it or set train.optimizer: adafactor");
  }
}
