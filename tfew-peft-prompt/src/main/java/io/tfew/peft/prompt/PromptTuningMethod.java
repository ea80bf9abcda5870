package io.tfew.peft.prompt;

import io.tfew.api.model.EmbeddedInput;
import io.tfew.api.model.EmbeddingSite;
import io.tfew.api.model.ModelDims;
import io.tfew.api.model.SiteContext;
import io.tfew.api.model.Stack;
import io.tfew.api.peft.PeftMethod;
import java.util.LinkedHashMap;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Prompt tuning (Lester et al. 2021, "The Power of Scale for Parameter-Efficient Prompt Tuning"): N trained
 * embedding rows prepended to the encoder input embeddings (mask extended with ones), and with
 * {@code decoder} N more prepended to the decoder input embeddings, as T-Few's baseline does.
 *
 * <p>One parameter, {@code prompt_embeddings}, holds all rows as Hugging Face PEFT saves them: {@code [N, d]},
 * or {@code [2N, d]} with encoder rows first when decoder rows exist (PEFT's {@code num_transformer_submodules}
 * 2). With {@code taskCount > 1} it is {@code [taskCount, rows, d]} and every batch row takes its task's
 * prompt; such a file is tfew's own, PEFT has no per-task prompt.
 *
 * <p>PEFT 0.4+ never prepends the decoder rows for T5 (see hf-peft-format.md section 5): a tfew adapter
 * trained with {@code decoder: true} loads in PEFT, but PEFT scores it without the decoder prompt.
 * {@code unused_decoder_rows} is the opposite direction: PEFT's {@code [2N, d]} file with PEFT's semantics.
 *
 * <pre>{@code
 * PeftMethod m = new PromptTuningProvider().create(section);   // {num_virtual_tokens: 10, decoder: true}
 * new ModelGraph(config, new SiteRewrites(List.of(new SiteRewrites.Active("prompt_tuning", m))), true, 1, seed);
 * }</pre>
 */
public final class PromptTuningMethod implements PeftMethod {
  /** The parameter key, also PEFT's tensor name (prompt methods carry no {@code base_model.model.} prefix). */
  public static final String KEY = "prompt_embeddings";

  private final PromptTuningConfig config;
  private ModelDims dims;
  private int taskCount = 1;

  public PromptTuningMethod(PromptTuningConfig config) {
    this.config = config;
  }

  public PromptTuningConfig config() {
    return config;
  }

  @Override
  public EmbeddedInput inputEmbeddings(EmbeddingSite site, EmbeddedInput input) {
    if (site.stack() == Stack.DECODER && !config.decoder()) {
      return input;
    }
    SiteContext ctx = site.context();
    Ops tf = ctx.tf();
    int n = config.numVirtualTokens();
    Operand<TFloat32> all = prompts(ctx);
    Operand<TFloat32> mine = config.submodules() == 1 ? all
        : SoftPrompts.rows(tf, all, site.stack() == Stack.ENCODER ? 0 : n, n);
    return SoftPrompts.prepend(tf, input, SoftPrompts.perRow(ctx, mine), n);
  }

  /** The parameter as {@code [slots, rows, d]} (declared {@code [rows, d]} for one task, PEFT's shape). */
  private Operand<TFloat32> prompts(SiteContext ctx) {
    dims = ctx.dims();
    taskCount = ctx.taskCount();
    int d = dims.dModel();
    int rows = config.totalRows();
    Shape shape = taskCount > 1 ? Shape.of(taskCount, rows, d) : Shape.of(rows, d);
    Operand<TFloat32> p = ctx.parameters().trainable(KEY, shape, config.init().parameterInit(config.initTokenIds(),
        config.initStd(), config.submodules(), config.numVirtualTokens(), d, dims.vocabSize()));
    return ctx.tf().reshape(p, ctx.tf().constant(new int[] {taskCount, rows, d}));
  }

  /**
   * PEFT's PROMPT_TUNING fields, only those every release since 0.6 knows (its strict loaders refuse others).
   * {@code prompt_tuning_init} is RANDOM whatever the init: loading ignores it, and TEXT would require a
   * tokenizer name PEFT then loads. Multi-task files are tfew's own: no PEFT config.
   */
  @Override
  public Map<String, Object> adapterConfig() {
    if (dims == null) {
      throw new IllegalStateException("prompt_tuning: the graph was not built, so the model's sizes are unknown");
    }
    if (taskCount > 1) {
      return Map.of();
    }
    Map<String, Object> peft = new LinkedHashMap<>();
    peft.put("peft_type", "PROMPT_TUNING");
    peft.put("task_type", "SEQ_2_SEQ_LM");
    peft.put("base_model_name_or_path", null);
    peft.put("revision", null);
    peft.put("inference_mode", true);
    peft.put("num_virtual_tokens", config.numVirtualTokens());
    peft.put("token_dim", dims.dModel());
    peft.put("num_transformer_submodules", config.submodules());
    peft.put("num_attention_heads", dims.numHeads());
    peft.put("num_layers", dims.numEncoderLayers());
    peft.put("prompt_tuning_init", "RANDOM");
    peft.put("prompt_tuning_init_text", null);
    peft.put("tokenizer_name_or_path", null);
    return peft;
  }
}
