package io.tfew.peft.qlora;

import io.tfew.api.config.ConfigField;
import io.tfew.api.config.ConfigSection;
import io.tfew.api.peft.PeftMethod;
import io.tfew.api.peft.PeftMethodProvider;
import java.util.List;

/**
 * The {@code qlora} PEFT method: LoRA over frozen linears stored as 4-bit NormalFloat, saved in Hugging
 * Face PEFT's LORA format.
 *
 * <pre>{@code
 * # experiment.yaml
 * peft:
 *   method: qlora
 *   r: 8
 *   alpha: 16
 *   dropout: 0.05
 *   double_quant: true          # block scales in 8 bits (QLoRA's double quantisation)
 * }</pre>
 *
 * <p>It declares no {@code peftType}: a directory PEFT wrote says {@code LORA} and loads as {@code lora}
 * (over the full-precision base); a directory tfew wrote with {@code qlora} names it in
 * {@code tfew_adapter.json} and loads as {@code qlora} again.
 */
public final class QloraProvider implements PeftMethodProvider {

  @Override
  public String name() {
    return "qlora";
  }

  @Override
  public String description() {
    return "QLoRA: LoRA updates over frozen linears held as 4-bit NormalFloat (NF4) and dequantised in the graph "
        + "(PEFT LORA format)";
  }

  @Override
  public List<ConfigField> configFields() {
    return List.of(
        ConfigField.ofInt("r", 4, "rank of the update (A is [r, in], B is [out, r])"),
        ConfigField.ofDouble("alpha", 8.0, "scaling numerator: the update is multiplied by alpha / r"),
        ConfigField.ofBoolean("use_rslora", false, "rank-stabilised scaling alpha / sqrt(r)"),
        ConfigField.ofDouble("dropout", 0.0, "dropout on the input of the low-rank branch (training only)"),
        ConfigField.ofStrings("target_modules", QloraConfig.ALL_LINEAR_TARGETS,
            "regexes over HF module paths (full match): these linears are stored in NF4 and get the update"),
        ConfigField.ofString("init", QloraConfig.INIT_DEFAULT,
            "'default' (Kaiming-uniform A with bound 1/sqrt(in), zero B, as PEFT) or 'gaussian' (A ~ N(0, 1/r))"),
        ConfigField.ofInt("block_size", 64, "weights per NF4 block sharing one absmax scale (QLoRA: 64)"),
        ConfigField.ofBoolean("double_quant", true,
            "quantise the block scales to 8 bits in groups of 256 with a float32 scale per group"));
  }

  @Override
  public PeftMethod create(ConfigSection section) {
    return new QloraMethod(QloraConfig.from(section));
  }
}
