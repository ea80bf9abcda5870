package io.tfew.peft.qlora;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tfew.api.config.ConfigException;
import io.tfew.api.config.ConfigSection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Options of {@code qlora}: defaults as QLoRA, bad values rejected with the YAML path. */
class QloraConfigTest {
  private static QloraConfig from(Map<String, ?> raw) {
    QloraProvider p = new QloraProvider();
    return QloraConfig.from(ConfigSection.validate("run.yaml: peft", p.configFields(), raw));
  }

  @Test
  void defaultsTargetEveryLinearOfAttentionAndFfnWithBlocksOf64AndDoubleQuantisation() {
    QloraConfig c = from(Map.of());
    assertThat(c).isEqualTo(QloraConfig.defaults());
    assertThat(c.blockSize()).isEqualTo(64);
    assertThat(c.doubleQuant()).isTrue();
    assertThat(c.scaling()).isEqualTo(2.0);
    for (String m : List.of("encoder.block.0.layer.0.SelfAttention.q", "decoder.block.1.layer.1.EncDecAttention.o",
        "decoder.block.2.layer.2.DenseReluDense.wi_1", "encoder.block.1.layer.1.DenseReluDense.wo")) {
      assertThat(c.targets(m)).as(m).isTrue();
    }
    assertThat(c.targets("lm_head")).isFalse();
  }

  @Test
  void badValuesAreRejectedNamingTheSection() {
    assertThatThrownBy(() -> from(Map.of("block_size", 63))).isInstanceOf(ConfigException.class)
        .hasMessageContaining("run.yaml: peft").hasMessageContaining("block_size = 63");
    assertThatThrownBy(() -> from(Map.of("r", 0))).isInstanceOf(ConfigException.class).hasMessageContaining("r = 0");
    assertThatThrownBy(() -> from(Map.of("dropout", 1.0))).isInstanceOf(ConfigException.class);
    assertThatThrownBy(() -> from(Map.of("target_modules", List.of()))).isInstanceOf(ConfigException.class)
        .hasMessageContaining("target_modules is empty");
    assertThatThrownBy(() -> from(Map.of("bits", 8))).hasMessageContaining("bits");
  }
}
