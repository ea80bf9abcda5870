package io.tfew.experiments.run;

import io.tfew.core.data.RankExample;
import io.tfew.core.prompt.PromptRenderer;
import io.tfew.core.prompt.PromptTemplate;
import io.tfew.core.prompt.RenderedPrompt;
import io.tfew.core.score.EncodedExample;
import io.tfew.core.score.ExampleEncoder;
import io.tfew.core.tokenize.T5Tokenizer;
import io.tfew.core.train.ExampleSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.SplittableRandom;

/**
 * Raw dataset rows under prompt templates. For training, each access draws one of the templates that
 * render the row (T-Few samples a template per example per use); every (row, template) pair is rendered
 * and tokenized once up front, so drawing costs nothing.
 */
final class TemplatedRows implements ExampleSource {
  private final List<List<EncodedExample>> perRow;
  private final int skippedRows;

  private TemplatedRows(List<List<EncodedExample>> perRow, int skippedRows) {
    this.perRow = perRow;
    this.skippedRows = skippedRows;
  }

  static TemplatedRows render(List<Map<String, Object>> rows, List<PromptTemplate> templates, T5Tokenizer tokenizer) {
    PromptRenderer renderer = new PromptRenderer();
    List<List<EncodedExample>> perRow = new ArrayList<>();
    int skipped = 0;
    for (Map<String, Object> row : rows) {
      List<EncodedExample> variants = new ArrayList<>();
      for (PromptTemplate t : templates) {
        toExample(renderer, t, row).ifPresent(e -> variants.add(ExampleEncoder.encode(e, tokenizer, 0)));
      }
      if (variants.isEmpty()) {
        skipped++;
      } else {
        perRow.add(variants);
      }
    }
    if (perRow.isEmpty()) {
      throw new io.tfew.api.TfewException("data.train: no row rendered with any selected template, or no rendered "
          + "target is one of the answer choices; check data.templates and the data format");
    }
    return new TemplatedRows(perRow, skipped);
  }

  /** One template over all rows, for evaluation; rows it cannot render are left out. */
  static List<RankExample> renderAll(PromptRenderer renderer, PromptTemplate template, List<Map<String, Object>> rows) {
    List<RankExample> out = new ArrayList<>();
    for (Map<String, Object> row : rows) {
      toExample(renderer, template, row).ifPresent(out::add);
    }
    return out;
  }

  private static Optional<RankExample> toExample(PromptRenderer renderer, PromptTemplate template,
      Map<String, Object> row) {
    Optional<RenderedPrompt> rendered = renderer.render(template, row);
    if (rendered.isEmpty() || rendered.get().answerChoices().isEmpty()) {
      return Optional.empty();
    }
    RenderedPrompt p = rendered.get();
    OptionalInt label = p.labelIndex();
    if (label.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new RankExample(p.input(), p.answerChoices(), label, Optional.empty()));
  }

  int skippedRows() {
    return skippedRows;
  }

  @Override
  public int size() {
    return perRow.size();
  }

  @Override
  public EncodedExample draw(int index, SplittableRandom random) {
    List<EncodedExample> variants = perRow.get(index);
    return variants.get(random.nextInt(variants.size()));
  }
}
