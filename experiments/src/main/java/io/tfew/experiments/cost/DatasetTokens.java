package io.tfew.experiments.cost;

import io.tfew.api.TfewException;
import io.tfew.core.data.DatasetFormat;
import io.tfew.core.prompt.PromptRenderer;
import io.tfew.core.prompt.PromptTemplate;
import io.tfew.core.prompt.RenderedPrompt;
import io.tfew.core.prompt.TemplateCollection;
import io.tfew.core.tokenize.T5Tokenizer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The token lengths of one dataset as T-Few feeds it to the model: every row rendered with every template
 * T-Few uses by default ({@link TemplateCollection#tfewDefault()}), tokenized with the T5 tokenizer (EOS
 * included, truncated to the tokenizer's maximum, as T-Few's {@code max_seq_len}).
 *
 * <pre>{@code
 * DatasetTokens rte = DatasetTokens.measure("RTE", DatasetFormat.SUPERGLUE_JSONL, Path.of("RTE/val.jsonl"),
 *     Path.of("super_glue/rte/templates.yaml"), tokenizer, 32);
 * double perExample = rte.tokensPerExample(); // input + target
 * }</pre>
 *
 * @param name the dataset's name
 * @param rows rows read
 * @param pairs (row, template) pairs that rendered with a valid label; the means are over these
 * @param inputTokens mean tokens of the rendered input
 * @param choiceTokens mean tokens of one answer choice, over every choice of every pair
 * @param targetTokens mean tokens of the correct answer choice, the training target
 * @param shots in-context demonstrations of the paper's ICL baseline on this dataset
 */
public record DatasetTokens(String name, int rows, int pairs, double inputTokens, double choiceTokens,
    double targetTokens, int shots) {

  /** Input plus target tokens: one example as the cost model counts it. */
  public double tokensPerExample() {
    return inputTokens + targetTokens;
  }

  /** One in-context prompt: {@code shots} demonstrations (input and target each) and the example itself. */
  public double iclTokensPerExample() {
    return (shots + 1) * tokensPerExample();
  }

  /**
   * Measures {@code data} read as {@code format} with the templates of {@code templatesYaml}.
   *
   * @throws TfewException naming the files when no row renders
   */
  public static DatasetTokens measure(String name, DatasetFormat format, Path data, Path templatesYaml,
      T5Tokenizer tokenizer, int shots) {
    List<Map<String, Object>> rows = format.reader().read(data);
    List<PromptTemplate> templates = TemplateCollection.load(templatesYaml).tfewDefault();
    PromptRenderer renderer = new PromptRenderer();
    long input = 0;
    long choice = 0;
    long choices = 0;
    long target = 0;
    int pairs = 0;
    for (Map<String, Object> row : rows) {
      for (PromptTemplate t : templates) {
        Optional<RenderedPrompt> rendered = renderer.render(t, row);
        if (rendered.isEmpty() || rendered.get().answerChoices().isEmpty()
            || rendered.get().labelIndex().isEmpty()) {
          continue;
        }
        RenderedPrompt p = rendered.get();
        input += tokenizer.encode(p.input()).length;
        for (String c : p.answerChoices()) {
          choice += tokenizer.encode(c).length;
          choices++;
        }
        target += tokenizer.encode(p.answerChoices().get(p.labelIndex().getAsInt())).length;
        pairs++;
      }
    }
    if (pairs == 0) {
      throw new TfewException(data + ": no row rendered with a label under the templates of " + templatesYaml
          + "; check that the file is " + format.configName() + " and the templates are its dataset's");
    }
    return new DatasetTokens(name, rows.size(), pairs, (double) input / pairs, (double) choice / choices,
        (double) target / pairs, shots);
  }
}
