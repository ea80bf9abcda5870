package io.tfew.core.prompt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tfew.api.TfewException;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class PromptRendererTest {
  private final PromptRenderer renderer = new PromptRenderer();

  private static PromptTemplate template(String jinja, String choices) {
    return new PromptTemplate("id", "test", jinja, choices, true, true, List.of("Accuracy"));
  }

  private RenderedPrompt render(String jinja, String choices, Map<String, Object> row) {
    return renderer.render(template(jinja, choices), row).orElseThrow();
  }

  @Test
  void splitsInputAndTargetAndStripsBoth() {
    RenderedPrompt p = render(
        "  {{premise}}\nTrue or False? ||| {{ answer_choices[label] }}  ", "True ||| False",
        Map.of("premise", "It rains.", "label", 1));
    assertThat(p.input()).isEqualTo("It rains.\nTrue or False?");
    assertThat(p.target()).isEqualTo("False");
    assertThat(p.answerChoices()).containsExactly("True", "False");
    assertThat(p.labelIndex()).isEqualTo(OptionalInt.of(1));
  }

  @Test
  void answerChoicesAreRenderedFromTheRow() {
    RenderedPrompt p = render(
        "{{premise}} ||| {{answer_choices[label]}}", "{{choice1}} ||| {{ choice2 }}",
        Map.of("premise", "p", "choice1", " one ", "choice2", "two", "label", 0));
    assertThat(p.answerChoices()).containsExactly("one", "two");
    assertThat(p.target()).isEqualTo("one");
  }

  @Test
  void separatorInsideRowTextDoesNotSplitThePrompt() {
    RenderedPrompt p = render("{{text}} ||| {{answer_choices[label]}}", "{{a}} ||| b",
        Map.of("text", "x ||| y", "a", "c|||d", "label", 0));
    assertThat(p.input()).isEqualTo("x ||| y");
    assertThat(p.answerChoices()).containsExactly("c|||d", "b");
    assertThat(p.target()).isEqualTo("c|||d");
  }

  @Test
  void emptyInputOrTargetSkipsTheRow() {
    String jinja = "{% if question == \"cause\" %}{{premise}} ||| {{answer_choices[label]}}{% endif %}";
    PromptTemplate t = template(jinja, "a ||| b");
    assertThat(renderer.render(t, Map.of("question", "effect", "premise", "p", "label", 0)))
        .isEmpty();
    assertThat(renderer.render(t, Map.of("question", "cause", "premise", "p", "label", 0)))
        .isPresent();
    // label -1 (unlabelled) renders no target: promptsource drops such pairs from training.
    PromptTemplate guarded =
        template("{{premise}} ||| {% if label != -1 %}{{answer_choices[label]}}{% endif %}", "a ||| b");
    assertThat(renderer.render(guarded, Map.of("premise", "p", "label", -1))).isEmpty();
  }

  @Test
  void aTemplateWithoutTargetRendersInputOnly() {
    RenderedPrompt p = render("Summarize: {{text}}", null, Map.of("text", "t"));
    assertThat(p.input()).isEqualTo("Summarize: t");
    assertThat(p.target()).isEmpty();
    assertThat(p.answerChoices()).isEmpty();
    assertThat(p.labelIndex()).isEmpty();
  }

  @Test
  void undefinedVariablesRenderEmptyAsInJinja2() {
    assertThat(render("[{{ missing }}] {{x}} ||| t", null, Map.of("x", "y")).input())
        .isEqualTo("[] y");
  }

  @Test
  void pythonStringMethodsBehaveAsInPython() {
    // WSC's "in other words": text.split(" ")[i:] | join(" ") | replace(a, b), and .lower().
    RenderedPrompt p = render(
        "{{ text.split(\" \")[2:] | join(\"|\") | replace(span2_text, span1_text.lower()) }}"
            + " {{ 'a  b '.split(' ') | length }} {{ ' x '.strip() }}. ||| t",
        null, Map.of("text", "He said he  saw it ", "span2_text", "he", "span1_text", "BOB"));
    // Python keeps empty strings between and after repeated separators (Java's split drops the
    // trailing ones): ['he', '', 'saw', 'it', ''] and ['a', '', 'b', ''].
    assertThat(p.input()).isEqualTo("bob||saw|it| 4 x.");
  }

  @Test
  void filtersBindTighterThanArithmeticAsInJinja2() {
    // WinoGrande: answer_choices[answer | int - 1] with answer "2".
    RenderedPrompt p = render("{{sentence}} ||| {{answer_choices[answer | int - 1]}}",
        "{{option1}} ||| {{option2}}",
        Map.of("sentence", "s", "option1", "o1", "option2", "o2", "answer", "2"));
    assertThat(p.target()).isEqualTo("o2");
    assertThat(p.labelIndex()).hasValue(1);
  }

  @Test
  void longVariablesAreTruncatedLikePromptsource() {
    String word = "abcd ";
    String longText = word.repeat(600); // 3000 characters
    RenderedPrompt p = render("{{text}} ||| t", null, Map.of("text", longText));
    // Jinja2 truncate(2048): cut to 2045 characters, back to the last space, then "...".
    assertThat(p.input()).isEqualTo("abcd ".repeat(409).strip() + "...");
    String fits = "x".repeat(PromptRenderer.TEXT_VAR_LENGTH + 5); // within the 5-char leeway
    assertThat(render("{{text}} ||| t", null, Map.of("text", fits)).input()).isEqualTo(fits);
  }

  @Test
  void truncationCountsCodePointsLikePython() {
    String emoji = "\uD83D\uDE00"; // one code point, two UTF-16 units
    String s = emoji.repeat(2050);
    assertThat(PromptRenderer.truncate(s, 2048)).isEqualTo(s);
    assertThat(PromptRenderer.truncate(s + "abcd", 2048)).isEqualTo(emoji.repeat(2045) + "...");
  }

  @Test
  void booleansRenderAsPythonDoes() {
    assertThat(render("{{flag}} ||| t", null, Map.of("flag", true)).input()).isEqualTo("True");
  }

  @Test
  void labelIndexIsTheFirstMatchLikePythonListIndex() {
    assertThat(new RenderedPrompt("i", "b", List.of("a", "b", "b")).labelIndex()).hasValue(1);
    assertThat(new RenderedPrompt("i", "z", List.of("a", "b")).labelIndex()).isEmpty();
  }

  @Test
  void templateErrorsNameTheTemplate() {
    assertThatThrownBy(() -> renderer.render(template("{% if %} ||| x", null), Map.of()))
        .isInstanceOf(TfewException.class)
        .hasMessageContaining("template \"test\" (id)")
        .hasMessageContaining("fix the template's Jinja");
  }

  @Test
  void twoSeparatorsAreAnError() {
    assertThatThrownBy(() -> renderer.render(template("a ||| b ||| c", null), Map.of()))
        .isInstanceOf(TfewException.class)
        .hasMessageContaining("renders 2 '|||' separators");
  }

  @Test
  void answerChoicesIsAReservedFieldName() {
    assertThatThrownBy(
            () -> renderer.render(template("x ||| y", null), Map.of("answer_choices", "z")))
        .isInstanceOf(TfewException.class)
        .hasMessageContaining("reserves");
  }
}
