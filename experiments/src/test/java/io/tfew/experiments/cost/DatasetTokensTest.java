package io.tfew.experiments.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tfew.api.TfewException;
import io.tfew.core.data.DatasetFormat;
import io.tfew.core.testing.SharedFixtures;
import io.tfew.core.tokenize.T5Tokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The measurement behind tfew cost: rendered pairs, T-Few's template selection, means over pairs. */
class DatasetTokensTest {
  @TempDir
  Path tmp;

  private static final String TEMPLATES = """
      dataset: mine
      templates:
        a: !Template
          answer_choices: Yes ||| No
          id: a
          jinja: '{{premise}} Yes or no? ||| {{answer_choices[label]}}'
          metadata: !TemplateMetadata {choices_in_prompt: true, metrics: [Accuracy], original_task: true}
          name: asks
        b: !Template
          answer_choices: True ||| False ||| Neither
          id: b
          jinja: '{% if label == 0 %}Is it so: {{premise}} ||| {{answer_choices[label]}}{% endif %}'
          metadata: !TemplateMetadata {choices_in_prompt: false, metrics: [Accuracy], original_task: true}
          name: only first label
        c: !Template
          answer_choices: x ||| y
          id: c
          jinja: 'not the original task {{premise}} ||| {{answer_choices[label]}}'
          metadata: !TemplateMetadata {choices_in_prompt: false, metrics: [Accuracy], original_task: false}
          name: other task
      """;

  @Test
  void meansAreOverRenderedPairsOfTheDefaultTemplates() throws IOException {
    Path data = Files.writeString(tmp.resolve("rows.jsonl"),
        "{\"premise\": \"The cat sat on the mat.\", \"label\": 0}\n"
            + "{\"premise\": \"A much longer premise about dogs running in the park today.\", \"label\": 1}\n");
    Path templates = Files.writeString(tmp.resolve("templates.yaml"), TEMPLATES);
    try (T5Tokenizer tok = T5Tokenizer.load(SharedFixtures.path("tokenizers/t5/tokenizer.json"), 256)) {
      DatasetTokens d = DatasetTokens.measure("mine", DatasetFormat.FEWSHOT_JSONL, data, templates, tok, 7);

      // Template "other task" is not original-task; "only first label" renders nothing for the label-1 row.
      int[] inputs = {
          tok.encode("The cat sat on the mat. Yes or no?").length,
          tok.encode("A much longer premise about dogs running in the park today. Yes or no?").length,
          tok.encode("Is it so: The cat sat on the mat.").length};
      assertThat(d.rows()).isEqualTo(2);
      assertThat(d.pairs()).isEqualTo(3);
      assertThat(d.inputTokens()).isEqualTo((inputs[0] + inputs[1] + inputs[2]) / 3.0);
      int yes = tok.encode("Yes").length;
      int no = tok.encode("No").length;
      int tru = tok.encode("True").length;
      int fals = tok.encode("False").length;
      int neither = tok.encode("Neither").length;
      assertThat(d.choiceTokens()).isEqualTo((2.0 * (yes + no) + tru + fals + neither) / 7);
      assertThat(d.targetTokens()).isEqualTo((yes + no + tru) / 3.0);
      assertThat(d.tokensPerExample()).isEqualTo(d.inputTokens() + d.targetTokens());
      assertThat(d.iclTokensPerExample()).isEqualTo(8 * d.tokensPerExample());
      assertThat(d.shots()).isEqualTo(7);
    }
  }

  @Test
  void aFileNoTemplateRendersIsNamed() throws IOException {
    Path data = Files.writeString(tmp.resolve("rows.jsonl"), "{\"premise\": \"x\", \"label\": 0}\n");
    // Only a template of another task: T-Few's selection leaves nothing to render.
    Path templates = Files.writeString(tmp.resolve("templates.yaml"),
        TEMPLATES.substring(0, TEMPLATES.indexOf("  a: !Template")) + TEMPLATES.substring(TEMPLATES.indexOf("  c: !Template")));
    try (T5Tokenizer tok = T5Tokenizer.load(SharedFixtures.path("tokenizers/t5/tokenizer.json"), 256)) {
      assertThatThrownBy(() -> DatasetTokens.measure("mine", DatasetFormat.FEWSHOT_JSONL, data, templates, tok, 1))
          .isInstanceOf(TfewException.class).hasMessageContaining(data.toString()).hasMessageContaining("no row");
    }
  }

  @Test
  void writtenCountsReadBack() {
    HeldOutTokens counts = new HeldOutTokens("tokenizer.json", 256,
        List.of(new DatasetTokens("A", 3, 6, 10.5, 2.25, 2.0, 32)));
    Path file = tmp.resolve("counts.json");
    counts.write(file);
    assertThat(HeldOutTokens.read(file)).isEqualTo(counts);
  }
}
