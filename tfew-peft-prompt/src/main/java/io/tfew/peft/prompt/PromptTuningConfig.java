package io.tfew.peft.prompt;

import io.tfew.api.config.ConfigException;
import io.tfew.api.config.ConfigSection;
import java.util.List;

/**
 * The options of prompt tuning, validated.
 *
 * <pre>{@code
 * // YAML:  peft: {method: prompt_tuning, num_virtual_tokens: 10, decoder: true, init: vocab}
 * PromptTuningConfig c = PromptTuningConfig.from(section);
 * int rows = c.totalRows();   // 20: encoder rows then decoder rows
 * }</pre>
 *
 * @param numVirtualTokens prompt length N per prompted stack
 * @param decoder whether a second prompt of N rows is prepended to the decoder input embeddings, as T-Few's
 *     prompt tuning does (its Table 4 counts 2 x N x d_model); core drops the decoder outputs at those positions
 * @param unusedDecoderRows declare N decoder rows without applying them: what Hugging Face PEFT 0.4+ does with
 *     {@code num_transformer_submodules: 2}, so its files load with its semantics; exclusive with {@code decoder}
 * @param init how the rows start
 * @param initTokenIds token ids for {@code text} and {@code class_labels}
 * @param initStd standard deviation for {@code random}
 */
public record PromptTuningConfig(int numVirtualTokens, boolean decoder, boolean unusedDecoderRows, PromptInit init,
    List<Integer> initTokenIds, double initStd) {

  public PromptTuningConfig {
    initTokenIds = List.copyOf(initTokenIds);
    if (numVirtualTokens < 1) {
      throw new ConfigException("prompt_tuning.num_virtual_tokens = " + numVirtualTokens + ": must be >= 1");
    }
    if (decoder && unusedDecoderRows) {
      throw new ConfigException("prompt_tuning: decoder and unused_decoder_rows are exclusive: the decoder rows "
          + "are either prepended to the decoder input (decoder: true) or only stored, as PEFT does");
    }
    if (init.needsTokenIds() && initTokenIds.isEmpty()) {
      throw new ConfigException("prompt_tuning.init = " + init.yaml() + ": needs init_token_ids (the token ids of the "
          + (init == PromptInit.TEXT ? "text" : "answer choices") + "; this plugin has no tokenizer)");
    }
    if (!init.needsTokenIds() && !initTokenIds.isEmpty()) {
      throw new ConfigException("prompt_tuning.init_token_ids: only used with init text or class_labels, not "
          + init.yaml());
    }
    if (!(initStd > 0) || Double.isInfinite(initStd)) {
      throw new ConfigException("prompt_tuning.init_std = " + initStd + ": must be a positive number");
    }
  }

  public static PromptTuningConfig from(ConfigSection s) {
    return new PromptTuningConfig(s.getInt("num_virtual_tokens"), s.getBoolean("decoder"),
        s.getBoolean("unused_decoder_rows"), PromptInit.parse(s.getString("init"), s.path() + ".init"),
        PromptInit.parseIds(s.getStrings("init_token_ids"), s.path() + ".init_token_ids"), s.getDouble("init_std"));
  }

  /** 2 when decoder rows are stored (applied or not), else 1: PEFT's {@code num_transformer_submodules}. */
  public int submodules() {
    return decoder || unusedDecoderRows ? 2 : 1;
  }

  /** Rows of the saved tensor: encoder rows, then decoder rows. */
  public int totalRows() {
    return numVirtualTokens * submodules();
  }
}
