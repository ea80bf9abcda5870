package com.example.ffngate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tfew.api.config.ConfigException;
import io.tfew.api.config.ConfigSection;
import io.tfew.testkit.PluginTestKit;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
  void oneGatePerFeedForwardBlockOfT5Small(@TempDir Path dir) throws IOException {
    // The config.json of Hugging Face's t5-small: 6 encoder and 6 decoder blocks. No weights are read.
    Path config = dir.resolve("config.json");
    Files.writeString(config, """
        {"model_type": "t5", "d_model": 512, "d_kv": 64, "num_heads": 8, "d_ff": 2048, "num_layers": 6,
         "num_decoder_layers": 6, "vocab_size": 32128, "relative_attention_num_buckets": 32,
         "relative_attention_max_distance": 128, "feed_forward_proj": "relu", "tie_word_embeddings": true,
         "layer_norm_epsilon": 1e-6, "dropout_rate": 0.1, "pad_token_id": 0, "eos_token_id": 1,
         "decoder_start_token_id": 0}
        """);
    try (PluginTestKit kit = PluginTestKit.forMethod("ffn_gate")) {
      assertEquals(12, kit.parameterCount(config));
    }
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
