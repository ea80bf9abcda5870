package io.tfew.experiments.minit0;

import static org.assertj.core.api.Assertions.assertThat;

import io.tfew.core.tokenize.T5Tokenizer;
import io.tfew.core.tokenize.WordLevelTokenizerWriter;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VocabularyTest {
  @TempDir Path dir;

  private T5Tokenizer tokenizer() {
    WordLevelTokenizerWriter.write(dir.resolve("tokenizer.json"), Vocabulary.words());
    return T5Tokenizer.load(dir.resolve("tokenizer.json"), Pretraining.MAX_SEQ_LEN);
  }

  @Test
  void everyWordIsOneTokenOfItsOwn() {
    try (T5Tokenizer tok = tokenizer()) {
      Set<Integer> ids = new HashSet<>();
      for (String w : Vocabulary.words()) {
        int[] encoded = tok.encode(w);
        assertThat(encoded).as(w).hasSize(2).endsWith(tok.eosId());
        assertThat(encoded[0]).as(w).isNotEqualTo(2).isLessThan(MiniT0Model.vocabSize());
        ids.add(encoded[0]);
      }
      assertThat(ids).hasSize(Vocabulary.words().size());
    }
  }

  @Test
  void categoriesAreDisjointAndPolarityWordsAreNotCategoryWords() {
    List<String> members = Vocabulary.categoryWords();
    assertThat(new HashSet<>(members)).hasSize(members.size());
    assertThat(members).doesNotContainAnyElementsOf(Vocabulary.POSITIVE).doesNotContainAnyElementsOf(Vocabulary.NEGATIVE);
    assertThat(Vocabulary.POSITIVE).hasSameSizeAs(Vocabulary.NEGATIVE).doesNotContainAnyElementsOf(Vocabulary.NEGATIVE);
    assertThat(Vocabulary.categoryOf("cat")).isEqualTo("animal");
    assertThat(Vocabulary.categoryOf("good")).isNull();
  }

  @Test
  void everyTrainingTemplateUsesOnlyVocabularyWordsAndFitsTheLengths() {
    Set<String> words = new HashSet<>(Vocabulary.words());
    SplittableRandom random = new SplittableRandom(3);
    try (T5Tokenizer tok = tokenizer()) {
      for (TaskFamily<?> family : TrainingFamilies.all()) {
        for (int i = 0; i < 50; i++) {
          for (Prompt p : family.allTemplates(random)) {
            for (String w : (p.input() + " " + p.target()).split(" ")) {
              assertThat(words).as(family.name() + ": " + p).contains(w);
            }
            // The prototype's bounds: inputs of at most ~20 tokens, targets of at most 6 with EOS.
            assertThat(tok.encode(p.input()).length).as(p.input()).isLessThanOrEqualTo(24);
            assertThat(tok.encode(p.target()).length).as(p.target()).isLessThanOrEqualTo(6);
          }
        }
      }
    }
  }

  @Test
  void thereAreTwelveTrainingFamiliesOfTwoToFourTemplatesAndTheSynonymsLinkHeldOutWords() {
    assertThat(TrainingFamilies.all()).hasSize(12);
    assertThat(TrainingFamilies.all()).allSatisfy(f -> assertThat(f.templates().size()).isBetween(2, 4));
    assertThat(MiniT0.trainingFamilies()).doesNotHaveDuplicates();
    assertThat(TrainingFamilies.SYNONYMS).containsEntry("true", "yes").containsEntry("high", "great");
  }

  @Test
  void theSameSeedDrawsTheSamePrompts() {
    for (TaskFamily<?> family : TrainingFamilies.all()) {
      SplittableRandom a = new SplittableRandom(9);
      SplittableRandom b = new SplittableRandom(9);
      for (int i = 0; i < 20; i++) {
        assertThat(family.sample(a)).isEqualTo(family.sample(b));
      }
    }
  }
}
