package io.tfew.core.prompt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.tfew.api.TfewException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Data rows holding Jinja syntax stay literal, as in promptsource; templates that would loop for hours,
 * build gigabyte strings or read files are refused with a TfewException naming the template. The
 * timeouts are hang guards, not speed tests.
 */
class HostileTemplateTest {
  private static final Duration HANG_GUARD = Duration.ofSeconds(60);

  private final PromptRenderer renderer = new PromptRenderer();

  private static PromptTemplate template(String jinja, String choices) {
    return new PromptTemplate("id-1", "hostile", jinja, choices, true, true, List.of("Accuracy"));
  }

  @Test
  void jinjaSyntaxInsideRowTextIsRenderedLiterally() {
    Map<String, Object> row = Map.of(
        "premise", "{{ hypothesis }} and {% if true %}yes{% endif %} {# c #}",
        "hypothesis", "SECRET",
        "a", "{{ hypothesis }}",
        "label", 0);
    RenderedPrompt p = renderer.render(
        template("{{ premise }} ||| {{ answer_choices[label] }}", "{{ a }} ||| {% raw %}{{ b }}{% endraw %}"), row)
        .orElseThrow();
    assertThat(p.input()).isEqualTo("{{ hypothesis }} and {% if true %}yes{% endif %} {# c #}");
    assertThat(p.answerChoices()).containsExactly("{{ hypothesis }}", "{{ b }}");
    assertThat(p.target()).isEqualTo("{{ hypothesis }}");
    // A malformed tag in the data is text, not a template error.
    Map<String, Object> broken = Map.of("premise", "{% if %} {{", "label", 0);
    assertThat(renderer.render(template("{{ premise }} ||| {{ answer_choices[label] }}", "x ||| y"), broken)
        .orElseThrow().input()).isEqualTo("{% if %} {{");
  }

  @Test
  void nestedLoopsThatWouldRunForHoursAreStopped() {
    String jinja = "{% for i in range(1000) %}{% for j in range(1000) %}{% for k in range(1000) %}"
        + "{% endfor %}{% endfor %}{% endfor %}x ||| y";
    assertTimeoutPreemptively(HANG_GUARD, () -> assertThatThrownBy(
        () -> renderer.render(template(jinja, null), Map.of()))
        .isInstanceOf(TfewException.class)
        .hasMessageContaining("hostile")
        .hasMessageContaining("steps"));
  }

  @Test
  void repeatedReplaceCannotExhaustMemory() {
    String tenfold = ".replace('a', 'aaaaaaaaaa')";
    String jinja = "{{ ('a' * 10)" + tenfold.repeat(12) + " | length }} ||| y";
    String jinja2 = "{{ text" + tenfold.repeat(12) + " | length }} ||| y";
    String jinja3 = "{{ text | replace('a', 'aaaaaaaaaa') | replace('a', 'aaaaaaaaaa') | replace('a', 'aaaaaaaaaa')"
        + " | replace('a', 'aaaaaaaaaa') | replace('a', 'aaaaaaaaaa') | replace('a', 'aaaaaaaaaa')"
        + " | replace('a', 'aaaaaaaaaa') | replace('a', 'aaaaaaaaaa') | replace('a', 'aaaaaaaaaa') | length }} ||| y";
    assertTimeoutPreemptively(HANG_GUARD, () -> {
      for (String j : List.of(jinja, jinja2, jinja3)) {
        assertThatThrownBy(() -> renderer.render(template(j, null), Map.of("text", "aaaaaaaaaa")))
            .as(j)
            .isInstanceOf(TfewException.class)
            .hasMessageContaining("hostile");
      }
    });
  }

  @Test
  void includesImportsAndExtendsReadNothing() {
    for (String tag : List.of("{% include 'logback.xml' %}", "{% import 'x.jinja' as x %}",
        "{% extends 'META-INF/MANIFEST.MF' %}", "{% from 'x.jinja' import y %}")) {
      assertThatThrownBy(() -> renderer.render(template(tag + " x ||| y", null), Map.of()))
          .as(tag)
          .isInstanceOf(TfewException.class)
          .hasMessageContaining("hostile");
    }
  }

  @Test
  void outputLargerThanTheBoundIsAnError() {
    String jinja = "{% for i in range(1000) %}{% for j in range(1000) %}0123456789{% endfor %}{% endfor %} ||| y";
    assertTimeoutPreemptively(HANG_GUARD, () -> assertThatThrownBy(
        () -> renderer.render(template(jinja, null), Map.of()))
        .isInstanceOf(TfewException.class).hasMessageContaining("hostile"));
  }

  /** Random rows of Jinja-ish text render literally (after promptsource's strip) or not at all. */
  @Test
  void randomRowTextIsNeverInterpreted() {
    String[] pieces = {"{{", "}}", "{%", "%}", "{#", "#}", " if ", " for ", " x ", "range(99)", "|", "'", "\"",
        " endfor ", " endif ", "a", " ", "raw", "endraw", "include"};
    Random random = new Random(15);
    PromptTemplate t = template("{{ text }} ||| {{ answer_choices[0] }}", "choice");
    assertTimeoutPreemptively(HANG_GUARD, () -> {
      for (int i = 0; i < 500; i++) {
        StringBuilder b = new StringBuilder("t");
        for (int k = 0; k < 1 + random.nextInt(12); k++) {
          b.append(pieces[random.nextInt(pieces.length)]);
        }
        String text = b.toString();
        RenderedPrompt p = renderer.render(t, Map.of("text", text)).orElseThrow();
        assertThat(p.input()).isEqualTo(PromptRenderer.pythonStrip(text.replace("|||", "|||")));
      }
    });
  }
}
