package com.example.ffngate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tfew.api.config.ConfigException;
import io.tfew.api.config.ConfigSection;
import io.tfew.testkit.PluginTestKit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The method's own rules, beyond the conformance checks. */
class FfnGateOptionsTest {
  private final FfnGateProvider provider = new FfnGateProvider();

  @Test
  void aBadRegexIsRejectedNamingTheKey() {
    ConfigSection section = ConfigSection.validate("peft[0]", provider.configFields(),
        Map.of("target_modules", List.of("wo(")));
    ConfigException e = assertThrows(ConfigException.class, () -> provider.create(section));
    assertTrue(e.getMessage().contains("target_modules"), e.getMessage());
  }

  @Test
  void gatingTheAttentionOutputsToo() {
    try (PluginTestKit kit = PluginTestKit.forMethod("ffn_gate")
        .withConfig(Map.of("target_modules", List.of(".*\\.DenseReluDense\\.wo", ".*Attention\\.o")))) {
      // 4 FFNs, 2 encoder self-attentions, 2 decoder self- and 2 cross-attentions.
      assertEquals(4 + 2 + 2 + 2, kit.parameterCount());
    }
  }
}
