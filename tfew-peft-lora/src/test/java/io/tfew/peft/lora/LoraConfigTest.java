package io.tfew.peft.lora;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.tfew.api.TfewException;
import io.tfew.api.config.ConfigException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Options, their errors, PEFT config translation and the array merge. */
class LoraConfigTest {

  @Test
  void defaultsAreRank4QAndVWithScaling2() {
    LoraConfig c = LoraTestKit.create(Map.of()).config();
    assertThat(c).isEqualTo(LoraConfig.defaults());
    assertThat(c.scaling()).isEqualTo(2.0);
    assertThat(c.targets("decoder.block.3.layer.1.EncDecAttention.v")).isTrue();
    assertThat(c.targets("decoder.block.3.layer.1.EncDecAttention.k")).isFalse();
    assertThat(c.targets("lm_head")).isFalse();
    LoraConfig paper = LoraTestKit.create(Map.of("target_modules", LoraConfig.ALL_LINEAR_TARGETS)).config();
    for (String m : List.of("SelfAttention.q", "SelfAttention.o", "EncDecAttention.k", "DenseReluDense.wi",
        "DenseReluDense.wi_0", "DenseReluDense.wi_1", "DenseReluDense.wo")) {
      assertThat(paper.targets("decoder.block.0.layer.1." + m)).as(m).isTrue();
    }
    assertThat(paper.targets("lm_head")).isFalse();
  }

  @Test
  void rsLoraScalesByTheSquareRootOfTheRank() {
    assertThat(LoraTestKit.create(Map.of("r", 16, "alpha", 8, "use_rslora", true)).config().scaling())
        .isEqualTo(2.0);
    assertThat(LoraTestKit.create(Map.of("r", 16, "alpha", 8)).config().scaling()).isEqualTo(0.5);
  }

  @Test
  void unknownKeysAndBadValuesAreErrorsNamingTheKey() {
    assertThatThrownBy(() -> LoraTestKit.create(Map.of("rank", 4)))
        .isInstanceOf(ConfigException.class).hasMessageContaining("test: peft.rank: unknown key")
        .hasMessageContaining("alpha");
    assertThatThrownBy(() -> LoraTestKit.create(Map.of("r", 0)))
        .isInstanceOf(ConfigException.class).hasMessageContaining("test: peft.r = 0").hasMessageContaining("at least 1");
    assertThatThrownBy(() -> LoraTestKit.create(Map.of("r", -3)))
        .isInstanceOf(ConfigException.class).hasMessageContaining("at least 1");
    assertThatThrownBy(() -> LoraTestKit.create(Map.of("r", 4.5)))
        .isInstanceOf(ConfigException.class).hasMessageContaining("test: peft.r");
    assertThatThrownBy(() -> LoraTestKit.create(Map.of("dropout", 1.0)))
        .isInstanceOf(ConfigException.class).hasMessageContaining("dropout").hasMessageContaining("[0, 1)");
    assertThatThrownBy(() -> LoraTestKit.create(Map.of("target_modules", List.of("(q"))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("not a regular expression");
    assertThatThrownBy(() -> LoraTestKit.create(Map.of("target_modules", List.of())))
        .isInstanceOf(ConfigException.class).hasMessageContaining("nothing would be trained");
    assertThatThrownBy(() -> LoraTestKit.create(Map.of("init", "pissa")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'default' or 'gaussian'");
    // Layer norms alone are a valid (if odd) method.
    assertThat(LoraTestKit.create(Map.of("target_modules", List.of(), "train_layer_norms", true))).isNotNull();
  }

  @Test
  void peftConfigsTranslate() {
    LoraProvider p = new LoraProvider();
    Map<String, Object> peft = new HashMap<>();
    peft.put("peft_type", "LORA");
    peft.put("r", 16);
    peft.put("lora_alpha", 32);
    peft.put("lora_dropout", 0.1);
    peft.put("target_modules", List.of("q", "k.v"));
    peft.put("use_rslora", true);
    peft.put("bias", "none");
    peft.put("modules_to_save", List.of("layer_norm", "final_layer_norm"));
    peft.put("init_lora_weights", "gaussian");
    peft.put("some_future_field", 1);
    Map<String, Object> c = p.configFromPeft(peft);
    assertThat(c).containsEntry("r", 16).containsEntry("alpha", 32.0).containsEntry("dropout", 0.1)
        .containsEntry("use_rslora", true).containsEntry("train_layer_norms", true).containsEntry("init", "gaussian")
        .containsEntry("merge", false);
    LoraConfig config = LoraTestKit.create(c).config();
    // PEFT's suffix rule: the whole path or "." + entry at the end, never a substring.
    assertThat(config.targets("encoder.block.0.layer.0.SelfAttention.q")).isTrue();
    assertThat(config.targets("q")).isTrue();
    assertThat(config.targets("encoder.block.0.layer.0.SelfAttention.qq")).isFalse();
    assertThat(config.targets("x.k.v")).isTrue();
    assertThat(config.targets("x.kxv")).isFalse();

    // Missing fields take PEFT's defaults: r 8, alpha 8, t5's q and v.
    Map<String, Object> minimal = p.configFromPeft(Map.of("peft_type", "LORA"));
    assertThat(minimal).containsEntry("r", 8).containsEntry("alpha", 8.0)
        .containsEntry("target_modules", LoraConfig.DEFAULT_TARGETS).containsEntry("train_layer_norms", false);
    assertThat(p.configFromPeft(Map.of("target_modules", ".*\\.q"))).containsEntry("target_modules",
        List.of(".*\\.q"));
  }

  @Test
  void peftOptionsTfewCannotHonourAreRefused() {
    LoraProvider p = new LoraProvider();
    assertThatThrownBy(() -> p.configFromPeft(Map.of("use_dora", true)))
        .isInstanceOf(TfewException.class).hasMessageContaining("DoRA");
    assertThatThrownBy(() -> p.configFromPeft(Map.of("rank_pattern", Map.of("q", 2))))
        .isInstanceOf(TfewException.class).hasMessageContaining("per-module ranks");
    assertThatThrownBy(() -> p.configFromPeft(Map.of("bias", "all")))
        .isInstanceOf(TfewException.class).hasMessageContaining("bias");
    assertThatThrownBy(() -> p.configFromPeft(Map.of("modules_to_save", List.of("lm_head"))))
        .isInstanceOf(TfewException.class).hasMessageContaining("lm_head");
    assertThatThrownBy(() -> p.configFromPeft(Map.of("r", "4")))
        .isInstanceOf(TfewException.class).hasMessageContaining("integer");
  }

  @Test
  void mergeThenUnmergeRecoversTheWeight() {
    int out = 5;
    int in = 7;
    int r = 3;
    SplittableRandom random = new SplittableRandom(1);
    float[] w = new float[out * in];
    float[] a = new float[r * in];
    float[] b = new float[out * r];
    for (float[] x : new float[][] {w, a, b}) {
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) random.nextDouble(-1, 1);
      }
    }
    float[] merged = w.clone();
    LoraMerge.merge(merged, a, b, out, in, r, 2.0);
    // One entry by hand: W[1][2] + 2 sum_k B[1][k] A[k][2].
    double expected = w[in + 2];
    for (int k = 0; k < r; k++) {
      expected += 2.0 * b[r + k] * a[k * in + 2];
    }
    assertThat((double) merged[in + 2]).isCloseTo(expected, within(1e-6));
    LoraMerge.unmerge(merged, a, b, out, in, r, 2.0);
    assertThat(LoraTestKit.maxAbsDiff(merged, w)).isLessThan(1e-6);
    assertThatThrownBy(() -> LoraMerge.merge(w, a, b, out, in, r + 1, 2.0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("shapes disagree");
  }
}
