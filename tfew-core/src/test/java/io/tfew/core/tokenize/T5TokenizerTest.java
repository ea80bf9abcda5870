package io.tfew.core.tokenize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tfew.api.TfewException;
import io.tfew.core.testing.SharedFixtures;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class T5TokenizerTest {
  private static final String SENTENCE = "translate English to German: The house is wonderful.";
  private static final int[] SENTENCE_IDS = {13959, 1566, 12, 2968, 10, 37, 629, 19, 1627, 5, 1};

  private static T5Tokenizer t5(int maxSeqLen) {
    return T5Tokenizer.load(SharedFixtures.path("tokenizers/t5/tokenizer.json"), maxSeqLen);
  }

  @Test
  void encodesLikeHuggingFaceWithSingleEos() {
    try (T5Tokenizer tok = t5(512)) {
      assertThat(tok.encode(SENTENCE)).containsExactly(SENTENCE_IDS);
      assertThat(tok.eosId()).isEqualTo(1);
      assertThat(tok.padId()).isEqualTo(0);
      assertThat(tok.maxSeqLen()).isEqualTo(512);
    }
  }

  @Test
  void emptyTextIsJustEos() {
    try (T5Tokenizer tok = t5(8)) {
      assertThat(tok.encode("")).containsExactly(1);
    }
  }

  @Test
  void truncationKeepsEosLast() {
    try (T5Tokenizer tok = t5(5)) {
      assertThat(tok.encode(SENTENCE)).containsExactly(13959, 1566, 12, 2968, 1);
    }
    try (T5Tokenizer tok = t5(1)) {
      assertThat(tok.encode(SENTENCE)).containsExactly(1);
    }
  }

  @Test
  void exactFitIsNotTruncated() {
    try (T5Tokenizer tok = t5(SENTENCE_IDS.length)) {
      assertThat(tok.encode(SENTENCE)).containsExactly(SENTENCE_IDS);
    }
  }

  @Test
  void literalEosInTextDoesNotSuppressAppendedEos() {
    try (T5Tokenizer tok = t5(64)) {
      int[] ids = tok.encode("hello </s>");
      assertThat(ids).endsWith(1, 1);
    }
  }

  @Test
  void encodeAllMatchesEncode() {
    try (T5Tokenizer tok = t5(6)) {
      List<String> texts = List.of(SENTENCE, "", "Hello world");
      int[][] all = tok.encodeAll(texts);
      assertThat(all).hasNumberOfRows(3);
      for (int i = 0; i < texts.size(); i++) {
        assertThat(all[i]).containsExactly(tok.encode(texts.get(i)));
      }
      assertThat(tok.encodeAll(List.of())).isEmpty();
    }
  }

  @Test
  void decodeRoundTripSkipsSpecialTokens() {
    try (T5Tokenizer tok = t5(512)) {
      int[] ids = tok.encode(SENTENCE);
      assertThat(tok.decode(ids)).isEqualTo(SENTENCE);
      int[] padded = new int[ids.length + 3];
      System.arraycopy(ids, 0, padded, 0, ids.length);
      assertThat(tok.decode(padded)).isEqualTo(SENTENCE);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"t0-tiny", "t5-tiny"})
  void wordLevelFixtures(String model) {
    Path json = SharedFixtures.path("fixtures/t5-parity/" + model + "/tokenizer.json");
    try (T5Tokenizer tok = T5Tokenizer.load(json, 37)) {
      assertThat(tok.encode("w68 w75")).containsExactly(68, 75, 1);
      assertThat(tok.eosId()).isEqualTo(1);
      assertThat(tok.padId()).isEqualTo(0);
      assertThat(tok.encode("w3 nope")).containsExactly(3, 2, 1);
      assertThat(tok.decode(new int[] {68, 75, 1, 0, 0})).isEqualTo("w68 w75");
    }
  }

  @Test
  void appendsEosWhenPostProcessorDoesNot(@TempDir Path dir) throws Exception {
    Path json = dir.resolve("tokenizer.json");
    Files.writeString(json, wordLevelJson("null"), StandardCharsets.UTF_8);
    try (T5Tokenizer tok = T5Tokenizer.load(json, 3)) {
      assertThat(tok.encode("w5 w6")).containsExactly(5, 6, 1);
      assertThat(tok.encode("w5 w6 w5")).containsExactly(5, 6, 1);
      assertThat(tok.encode("w5 </s>")).containsExactly(5, 1, 1);
    }
  }

  @Test
  void missingFileNamesIt(@TempDir Path dir) {
    Path missing = dir.resolve("nope/tokenizer.json");
    assertThatThrownBy(() -> T5Tokenizer.load(missing, 16))
        .isInstanceOf(TfewException.class)
        .hasMessageContaining(missing.toString())
        .hasMessageContaining("does not exist");
  }

  @Test
  void directoryIsRejected(@TempDir Path dir) {
    assertThatThrownBy(() -> T5Tokenizer.load(dir, 16))
        .isInstanceOf(TfewException.class)
        .hasMessageContaining(dir.toString());
  }

  @Test
  void invalidJsonNamesFileAndLine(@TempDir Path dir) throws Exception {
    Path bad = dir.resolve("tokenizer.json");
    Files.writeString(bad, "{\n  \"version\": \"1.0\",\n  \"model\": {\n", StandardCharsets.UTF_8);
    assertThatThrownBy(() -> T5Tokenizer.load(bad, 16))
        .isInstanceOf(TfewException.class)
        .hasMessageContaining(bad.toString())
        .hasMessageContaining("not valid JSON")
        .hasMessageContaining("line");
  }

  @Test
  void jsonThatIsNotATokenizerNamesFile(@TempDir Path dir) throws Exception {
    Path bad = dir.resolve("tokenizer.json");
    Files.writeString(bad, "{\"hello\": 1}", StandardCharsets.UTF_8);
    assertThatThrownBy(() -> T5Tokenizer.load(bad, 16))
        .isInstanceOf(TfewException.class)
        .hasMessageContaining(bad.toString());
  }

  @Test
  void tokenizerWithoutEosIsRejected(@TempDir Path dir) throws Exception {
    Path json = dir.resolve("tokenizer.json");
    Files.writeString(
        json, wordLevelJson("null").replace("\"</s>\"", "\"<eos>\""), StandardCharsets.UTF_8);
    assertThatThrownBy(() -> T5Tokenizer.load(json, 16))
        .isInstanceOf(TfewException.class)
        .hasMessageContaining(json.toString())
        .hasMessageContaining("</s>");
  }

  @Test
  void nonPositiveMaxSeqLenIsRejected() {
    assertThatThrownBy(() -> t5(0)).isInstanceOf(TfewException.class).hasMessageContaining("0");
  }

  @Test
  void djlIsKeptOffline() {
    try (T5Tokenizer tok = t5(4)) {
      assertThat(tok.encode("")).containsExactly(1);
      if (System.getenv(DjlOffline.OFFLINE_ENV) == null) {
        assertThat(System.getProperty(DjlOffline.OFFLINE_PROPERTY)).isNotNull();
      }
    }
  }

  /** A word-level tokenizer like the parity fixtures, with the given post-processor. */
  private static String wordLevelJson(String postProcessor) {
    return """
        {
          "version": "1.0", "truncation": null, "padding": null,
          "added_tokens": [
            {"id": 0, "content": "<pad>", "single_word": false, "lstrip": false, "rstrip": false,
             "normalized": false, "special": true},
            {"id": 1, "content": "</s>", "single_word": false, "lstrip": false, "rstrip": false,
             "normalized": false, "special": true},
            {"id": 2, "content": "<unk>", "single_word": false, "lstrip": false, "rstrip": false,
             "normalized": false, "special": true}
          ],
          "normalizer": null,
          "pre_tokenizer": {"type": "WhitespaceSplit"},
          "post_processor": %s,
          "decoder": null,
          "model": {"type": "WordLevel", "unk_token": "<unk>",
                    "vocab": {"<pad>": 0, "</s>": 1, "<unk>": 2, "w3": 3, "w4": 4, "w5": 5, "w6": 6}}
        }
        """
        .formatted(postProcessor);
  }
}
