package io.tfew.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The kit's checks fail, with a message that says why, on methods that are broken. */
class PluginTestKitTest {
  @TempDir
  Path tmp;

  @Test
  void aMethodWhoseParametersDoNotReachTheLossFailsTheLossFallsCheck() {
    PluginTestKit kit = PluginTestKit.forMethod("testkit_detached", tmp);
    assertThat(kit.parameterCount()).as("one vector of 32 per query: 2 encoder + 2x2 decoder attentions")
        .isEqualTo(6 * 32);
    TrainedAdapter run = kit.train();
    assertThat(run.lossAfter()).isEqualTo(run.lossBefore());
    assertThatThrownBy(run::assertLossFalls).isInstanceOf(AssertionError.class)
        .hasMessageContaining("did not lower the loss").hasMessageContaining("testkit_detached");
  }

  @Test
  void aMethodWhoseAdapterLosesParametersFailsTheReloadCheck() {
    TrainedAdapter run = PluginTestKit.forMethod("testkit_colliding_keys", tmp).train().assertLossFalls();
    assertThatThrownBy(run::assertReloadScoresIdentically).isInstanceOf(AssertionError.class)
        .hasMessageContaining("differs after saving and reloading").hasMessageContaining("testkit_colliding_keys");
  }

  @Test
  void anUnknownMethodNameFailsNamingTheServicesFile() {
    assertThatThrownBy(() -> PluginTestKit.forMethod("no_such_method", tmp)).isInstanceOf(AssertionError.class)
        .hasMessageContaining("no_such_method").hasMessageContaining("META-INF/services")
        .hasMessageContaining("testkit_detached");
  }

  @Test
  void aMethodThatAlwaysMatchesFailsTheZeroTargetCheck() {
    PluginTestKit kit = PluginTestKit.forMethod("testkit_detached", tmp);
    assertThatThrownBy(() -> kit.assertRejectsZeroTargetSites(Map.of("init", 2.0)))
        .isInstanceOf(AssertionError.class).hasMessageContaining("matched no site, yet was accepted");
  }

  @Test
  void theZeroTargetCheckReturnsCoresMessage() {
    PluginTestKit kit = PluginTestKit.forMethod("ia3", tmp);
    assertThat(kit.assertRejectsZeroTargetSites(Map.of("target_modules", java.util.List.of("nothing"),
        "feedforward", false))).contains("'ia3' matched no site");
  }

  @Test
  void aTrainedAdapterIsSavedWhereTfewScoreReadsIt() {
    TrainedAdapter run = PluginTestKit.forMethod("ia3", tmp).withSteps(3).train();
    assertThat(run.stepLosses()).hasSize(3);
    assertThat(run.adapterDir().resolve("adapter_model.safetensors")).exists();
    assertThat(run.adapterDir().resolve("tfew_adapter.json")).content().contains("\"ia3\"");
  }

  @Test
  void closingAKitDeletesTheDirectoryItMade() {
    PluginTestKit kit = PluginTestKit.forMethod("ia3");
    Path model = kit.tinyModel();
    assertThat(model.resolve("config.json")).exists();
    kit.close();
    assertThat(Files.exists(model.getParent())).isFalse();
  }
}
