package io.tfew.core.prompt;

import static org.assertj.core.api.Assertions.assertThat;

import io.tfew.core.data.FewShotJsonlReader;
import io.tfew.core.data.SuperGlueJsonlReader;
import io.tfew.core.testing.SharedFixtures;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every original-task template of the five held-out SuperGLUE tasks on every validation row.
 *
 * <p>The digests pin the exact rendered text. They were computed with Python's Jinja2 3.1.6 and
 * promptsource's {@code Template.apply} logic (sandboxed environment, {@code | string |
 * truncate(2048)} rewrite, pipe protection, strip) on rows built by HF's {@code super_glue}
 * conversion code (label casting, WSC flattening, {@code _fix_wst}); all 12,230 pairs matched
 * this renderer exactly. Per pair the digest takes {@code input NUL target NUL choices joined by
 * U+0001 LF}, or {@code -LF} for a skipped pair, templates in name order, rows in file order.
 */
class SuperGlueTemplatesTest {
  private static final PromptRenderer RENDERER = new PromptRenderer();
  /** COPA's question-specific templates open with this guard and render nothing otherwise. */
  private static final Pattern QUESTION_GUARD =
      Pattern.compile("^\\{% if question == \"(cause|effect)\" %\\}");

  @ParameterizedTest(name = "{0}: {2} templates x {3} rows = {4} rendered + {5} skipped")
  @CsvSource({
    "RTE,  rte,       10, 277,  2770,   0, 3b463aa9f1d5d0178fe3a6831aa92832be6feb8615c9c133c793dd0106890c70",
    "CB,   cb,        15,  56,   840,   0, fe4cbc15c36d7f4a6e6b25f2c41934c524b04ff9030fe65fa6bb2fc88740c17b",
    "COPA, copa,      12, 100,  1000, 200, 5673ab938ad4b9f1e764112bee40ceee98abb1e01c387093fddd15776c45ec03",
    "WiC,  wic,       10, 638,  6380,   0, e57e199195ebdbca1240c77b19b86175debad8a0ea5d09076e6736031b8c395e",
    "WSC,  wsc.fixed, 10, 104,  1040,   0, 07685df728962c79b317aa60c800be57a4ca87a1cda1a00eafe625a42a838a5d"
  })
  void everyOriginalTemplateRendersOnEveryValidationRow(
      String task, String subset, int templateCount, int rowCount, int rendered, int skipped,
      String digest) throws Exception {
    List<Map<String, Object>> rows = new SuperGlueJsonlReader()
        .read(SharedFixtures.path("data/superglue-val/" + task + "/val.jsonl"));
    List<PromptTemplate> templates = TemplateCollection.load(SharedFixtures.path(
        "data/promptsource-templates/super_glue/" + subset + "/templates.yaml")).originalTask();
    assertThat(templates).hasSize(templateCount);
    assertThat(rows).hasSize(rowCount);

    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    int renderedPairs = 0;
    List<String> unexpectedSkips = new ArrayList<>();
    int expectedSkips = 0;
    for (PromptTemplate t : templates) {
      Matcher guard = QUESTION_GUARD.matcher(t.jinja());
      for (int i = 0; i < rows.size(); i++) {
        Map<String, Object> row = rows.get(i);
        boolean otherQuestion = guard.find(0) && !guard.group(1).equals(row.get("question"));
        expectedSkips += otherQuestion ? 1 : 0;
        Optional<RenderedPrompt> p = RENDERER.render(t, row);
        if (p.isEmpty()) {
          sha.update("-\n".getBytes(StandardCharsets.UTF_8));
          if (!otherQuestion) {
            unexpectedSkips.add(t.name() + " / row " + i);
          }
          continue;
        }
        renderedPairs++;
        RenderedPrompt r = p.get();
        assertThat(otherQuestion).as("%s on row %d renders although it asks the other question",
            t.name(), i).isFalse();
        assertThat(r.answerChoices()).as("%s / row %d", t.name(), i).contains(r.target());
        assertThat(r.labelIndex()).as("%s / row %d", t.name(), i).hasValue((Integer) row.get("label"));
        sha.update((r.input() + "\0" + r.target() + "\0" + String.join("\1", r.answerChoices())
            + "\n").getBytes(StandardCharsets.UTF_8));
      }
    }
    assertThat(unexpectedSkips).isEmpty();
    assertThat(renderedPairs).isEqualTo(rendered);
    assertThat(templates.size() * rows.size() - renderedPairs)
        .isEqualTo(skipped)
        .isEqualTo(expectedSkips);
    assertThat(HexFormat.of().formatHex(sha.digest())).isEqualTo(digest);
  }

  @Test
  void copaSkipsAreTheRowsOfTheOtherQuestion() {
    List<Map<String, Object>> rows = new SuperGlueJsonlReader()
        .read(SharedFixtures.path("data/superglue-val/COPA/val.jsonl"));
    long effect = rows.stream().filter(r -> r.get("question").equals("effect")).count();
    assertThat(effect).isEqualTo(48);
    // Two effect-only and two cause-only templates: 2 * 52 + 2 * 48 = 200 skipped pairs.
    assertThat(2 * (rows.size() - effect) + 2 * effect).isEqualTo(200);
  }

  @Test
  void aFewShotRteFileRendersWithAnRteTemplate() {
    List<Map<String, Object>> rows = new FewShotJsonlReader()
        .read(SharedFixtures.path("data/tfew-few-shot/rte/32_shot/0_seed.jsonl"));
    PromptTemplate t = TemplateCollection.load(
            SharedFixtures.path("data/promptsource-templates/super_glue/rte/templates.yaml"))
        .byNames(List.of("does this imply")).get(0);
    RenderedPrompt first = RENDERER.render(t, rows.get(0)).orElseThrow();
    assertThat(first.input()).startsWith("The main institutionalised forms of recognition")
        .endsWith("\n\nQuestion: Does this imply that \"Nobel Peace Prize candidates have been"
            + " chosen.\"? Yes or no?");
    assertThat(first.answerChoices()).containsExactly("Yes", "No");
    assertThat(first.target()).isEqualTo("No");
    assertThat(first.labelIndex()).hasValue(1);
    for (Map<String, Object> row : rows) {
      assertThat(RENDERER.render(t, row).orElseThrow().labelIndex()).hasValue((Integer) row.get("label"));
    }
  }
}
