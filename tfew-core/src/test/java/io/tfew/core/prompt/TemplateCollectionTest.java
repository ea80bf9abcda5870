package io.tfew.core.prompt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tfew.api.TfewException;
import io.tfew.core.testing.SharedFixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TemplateCollectionTest {
  @TempDir Path tmp;

  private static TemplateCollection shared(String dataset) {
    return TemplateCollection.load(
        SharedFixtures.path("data/promptsource-templates/" + dataset + "/templates.yaml"));
  }

  @ParameterizedTest(name = "{0}: {1} templates, {2} original-task")
  @CsvSource({
    "super_glue/rte, 10, 10",
    "super_glue/cb, 15, 15",
    "super_glue/copa, 12, 12",
    "super_glue/wic, 10, 10",
    "super_glue/wsc.fixed, 10, 10",
    "anli, 15, 15",
    "winogrande/winogrande_xl, 6, 5",
    "hellaswag, 11, 4",
    "story_cloze/2016, 6, 5"
  })
  void loadsEveryHeldOutTaskWithTheCountsOfSourceTxt(String dataset, int all, int original) {
    TemplateCollection templates = shared(dataset);
    assertThat(templates.all()).hasSize(all);
    assertThat(templates.originalTask()).hasSize(original).allMatch(PromptTemplate::originalTask);
  }

  @Test
  void readsFieldsAndMetadataOfATemplate() {
    TemplateCollection rte = shared("super_glue/rte");
    assertThat(rte.dataset()).isEqualTo("super_glue");
    assertThat(rte.subset()).isEqualTo("rte");
    PromptTemplate t = rte.byNames(List.of("GPT-3 style")).get(0);
    assertThat(t.answerChoices()).isEqualTo("True ||| False");
    assertThat(t.jinja()).contains("{{premise}}").contains("|||");
    assertThat(t.hasTarget()).isTrue();
    assertThat(t.choicesInPrompt()).isTrue();
    assertThat(t.metrics()).containsExactly("Accuracy");
  }

  @Test
  void templatesAreInPromptsourceNameOrderBecauseTfewIndexesThatList() {
    List<PromptTemplate> all = shared("super_glue/copa").all();
    assertThat(all).isSortedAccordingTo(Comparator.comparing(PromptTemplate::name));
    assertThat(all.get(0).name()).isEqualTo("C1 or C2? premise, so/because\u2026");
  }

  @Test
  void selectionIsOriginalTaskByDefaultOrByName() {
    TemplateCollection wino = shared("winogrande/winogrande_xl");
    assertThat(wino.select(List.of(), true)).isEqualTo(wino.originalTask()).hasSize(5);
    assertThat(wino.select(List.of(), false)).hasSize(6);
    assertThat(wino.select(List.of("underscore refer to", "Replace"), true))
        .extracting(PromptTemplate::name)
        .containsExactly("underscore refer to", "Replace");
  }

  /**
   * T-Few's COPAReader keeps the first 8 original-task templates in name order. Checked by what the
   * templates do, not by their names: the 8 kept apply to every row, the 4 cut each open with a guard on
   * the row's question and render only for cause or only for effect.
   */
  @Test
  void copaKeepsTheFirstEightOriginalTemplatesAsTFewsReaderDoes() {
    TemplateCollection copa = shared("super_glue/copa");
    Pattern questionGuard = Pattern.compile("^\\{% if question == \"(cause|effect)\" %\\}");

    List<PromptTemplate> kept = copa.select(List.of(), true);

    assertThat(copa.originalTask()).hasSize(12);
    assertThat(kept).isEqualTo(copa.tfewDefault()).isEqualTo(copa.originalTask().subList(0, 8));
    assertThat(kept).noneMatch(t -> questionGuard.matcher(t.jinja()).find());
    assertThat(copa.originalTask().subList(8, 12)).allMatch(t -> questionGuard.matcher(t.jinja()).find());
    // Every other held-out task keeps all its original-task templates, as T-Few's other readers do.
    for (String other : List.of("super_glue/rte", "super_glue/cb", "super_glue/wic", "super_glue/wsc.fixed", "anli",
        "winogrande/winogrande_xl")) {
      assertThat(shared(other).tfewDefault()).as(other).isEqualTo(shared(other).originalTask());
    }
  }

  @Test
  void theCopaCutFollowsTheFilesDatasetAndSubsetNotItsTemplateNames() throws IOException {
    StringBuilder templates = new StringBuilder();
    for (int i = 0; i < 10; i++) {
      templates.append(GOOD_TEMPLATE.replace("t1", "t" + i).replace("name: one", "name: n" + (9 - i)));
    }
    TemplateCollection copa = TemplateCollection.load(
        yaml("dataset: super_glue\nsubset: copa\ntemplates:\n" + templates));
    assertThat(copa.tfewDefault()).extracting(PromptTemplate::name)
        .containsExactly("n0", "n1", "n2", "n3", "n4", "n5", "n6", "n7");
    TemplateCollection rte = TemplateCollection.load(
        yaml("dataset: super_glue\nsubset: rte\ntemplates:\n" + templates));
    assertThat(rte.tfewDefault()).hasSize(10);
  }

  @Test
  void unknownTemplateNameListsTheKnownNames() {
    assertThatThrownBy(() -> shared("super_glue/rte").byNames(List.of("GPT-4 style")))
        .isInstanceOf(TfewException.class)
        .hasMessageContaining("rte/templates.yaml")
        .hasMessageContaining("no template named \"GPT-4 style\"")
        .hasMessageContaining("\"GPT-3 style\"");
  }

  private static final String GOOD_TEMPLATE =
      """
        t1: !Template
          answer_choices: Yes ||| No
          id: t1
          jinja: '{{premise}} ||| {{answer_choices[label]}}'
          metadata: !TemplateMetadata
            choices_in_prompt: false
            metrics: [Accuracy]
            original_task: true
          name: one
      """;

  private Path yaml(String text) throws IOException {
    Path file = tmp.resolve("templates.yaml");
    Files.writeString(file, text);
    return file;
  }

  @Test
  void acceptsAMinimalHandWrittenFile() throws IOException {
    TemplateCollection c = TemplateCollection.load(yaml("dataset: mine\ntemplates:\n" + GOOD_TEMPLATE));
    assertThat(c.all()).singleElement().satisfies(t -> {
      assertThat(t.id()).isEqualTo("t1");
      assertThat(t.choicesInPrompt()).isFalse();
    });
  }

  @Test
  void rejectsPythonObjectTags() throws IOException {
    Path file = yaml("dataset: x\ntemplates: !!python/object/apply:os.system ['touch /tmp/pwned']\n");
    assertThatThrownBy(() -> TemplateCollection.load(file))
        .isInstanceOf(TfewException.class)
        .hasMessageStartingWith(file + ": not a safe promptsource templates file")
        .hasMessageContaining("python/object/apply:os.system")
        .hasMessageContaining("only plain YAML with the !Template and !TemplateMetadata tags");
  }

  @Test
  void rejectsUnknownLocalTags() throws IOException {
    Path file = yaml("dataset: x\ntemplates:\n  t1: !Evil\n    id: t1\n");
    assertThatThrownBy(() -> TemplateCollection.load(file))
        .isInstanceOf(TfewException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("!Evil");
  }

  @Test
  void rejectsTheTemplateTagOnAScalar() throws IOException {
    Path file = yaml("dataset: x\ntemplates:\n  t1: !Template just text\n");
    assertThatThrownBy(() -> TemplateCollection.load(file))
        .isInstanceOf(TfewException.class)
        .hasMessageContaining("!Template must be on a mapping");
  }

  @Test
  void rejectsABillionLaughsAliasBomb() throws IOException {
    StringBuilder bomb = new StringBuilder("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    for (char c = 'b'; c <= 'j'; c++) {
      char p = (char) (c - 1);
      bomb.append(c).append(": &").append(c).append(" [*").append(p).append(",*").append(p)
          .append(",*").append(p).append(",*").append(p).append(",*").append(p).append("]\n");
    }
    Path file = yaml(bomb.toString());
    assertThatThrownBy(() -> TemplateCollection.load(file))
        .isInstanceOf(TfewException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("aliases");
  }

  @Test
  void rejectsDuplicateKeys() throws IOException {
    Path file = yaml("dataset: x\ndataset: y\ntemplates: {}\n");
    assertThatThrownBy(() -> TemplateCollection.load(file))
        .isInstanceOf(TfewException.class)
        .hasMessageContaining("duplicate key dataset");
  }

  @Test
  void missingJinjaNamesTheTemplateAndField() throws IOException {
    Path file = yaml("dataset: x\ntemplates:\n" + GOOD_TEMPLATE.replace(
        "    jinja: '{{premise}} ||| {{answer_choices[label]}}'\n", ""));
    assertThatThrownBy(() -> TemplateCollection.load(file))
        .isInstanceOf(TfewException.class)
        .hasMessage(file + ": templates.t1: field \"jinja\" is missing; add it");
  }

  @Test
  void aFileWithoutTemplatesSaysWhatItExpected() throws IOException {
    Path file = yaml("just: a map\n");
    assertThatThrownBy(() -> TemplateCollection.load(file))
        .isInstanceOf(TfewException.class)
        .hasMessageContaining("field \"templates\" must be a mapping");
  }

  @Test
  void missingFileSaysWhatToPointAt() {
    Path file = tmp.resolve("nope.yaml");
    assertThatThrownBy(() -> TemplateCollection.load(file))
        .isInstanceOf(TfewException.class)
        .hasMessageContaining(file + " does not exist")
        .hasMessageContaining("promptsource templates.yaml");
  }
}
