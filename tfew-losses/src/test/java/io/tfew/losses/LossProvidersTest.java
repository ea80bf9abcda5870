package io.tfew.losses;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tfew.api.config.ConfigException;
import io.tfew.api.config.ConfigSection;
import io.tfew.api.loss.LossProvider;
import io.tfew.core.plugin.PluginRegistry;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The three providers are found through ServiceLoader by name, and their config sections validate. */
class LossProvidersTest {

  @Test
  void coreDiscoversTheThreeLossesByName() {
    Map<String, LossProvider> losses = PluginRegistry.discover().losses();
    assertThat(losses).containsKeys("lm", "unlikelihood", "length_norm");
    assertThat(losses.get("lm")).isInstanceOf(LmLossProvider.class);
    assertThat(losses.get("unlikelihood")).isInstanceOf(UnlikelihoodLossProvider.class);
    assertThat(losses.get("length_norm")).isInstanceOf(LengthNormLossProvider.class);
  }

  @Test
  void lmAndUnlikelihoodTakeNoKeys() {
    for (LossProvider p : new LossProvider[] {new LmLossProvider(), new UnlikelihoodLossProvider()}) {
      assertThat(p.configFields()).isEmpty();
      assertThat(p.create(ConfigSection.defaults("losses." + p.name(), p.configFields()))).isNotNull();
      assertThatThrownBy(() -> ConfigSection.validate("losses." + p.name(), p.configFields(), Map.of("eps", 0.01)))
          .isInstanceOf(ConfigException.class).hasMessageContaining("eps");
    }
  }

  @Test
  void lengthNormExponentDefaultsToTheMeanAndRejectsNegatives() {
    LengthNormLossProvider p = new LengthNormLossProvider();
    LengthNormLoss loss = (LengthNormLoss) p.create(ConfigSection.defaults("losses.length_norm", p.configFields()));
    assertThat(loss.exponent()).isEqualTo(1.0);
    LengthNormLoss sum = (LengthNormLoss) p.create(
        ConfigSection.validate("losses.length_norm", p.configFields(), Map.of("exponent", 0)));
    assertThat(sum.exponent()).isEqualTo(0.0);
    assertThatThrownBy(() -> p.create(
        ConfigSection.validate("losses.length_norm", p.configFields(), Map.of("exponent", -1.0))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("losses.length_norm.exponent");
  }
}
