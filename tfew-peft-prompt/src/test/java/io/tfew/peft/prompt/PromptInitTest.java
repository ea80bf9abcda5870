package io.tfew.peft.prompt;

import static io.tfew.peft.prompt.PromptTestKit.NAME;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tfew.api.config.ConfigException;
import io.tfew.core.checkpoint.Checkpoint;
import io.tfew.core.testing.ParityModel;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The inits copy the right rows of {@code shared.weight}; bad configs fail naming the key. */
class PromptInitTest {
  private static float[][] rowsOf(ParityModel h) {
    float[] v = h.graph.parameters().read(h.session, "prompt_embeddings");
    int d = h.graph.config().dModel();
    float[][] out = new float[v.length / d][];
    for (int r = 0; r < out.length; r++) {
      out[r] = Arrays.copyOfRange(v, r * d, (r + 1) * d);
    }
    return out;
  }

  private static float[] embedding(ParityModel h, int id) {
    try (Checkpoint c = Checkpoint.open(h.dir)) {
      int d = h.graph.config().dModel();
      return Arrays.copyOfRange(c.readFloats("shared.weight"), id * d, (id + 1) * d);
    }
  }

  /** The token whose embedding a row is, or -1. */
  private static int tokenOf(ParityModel h, float[] row) {
    for (int id = 0; id < h.graph.config().vocabSize(); id++) {
      if (Arrays.equals(row, embedding(h, id))) {
        return id;
      }
    }
    return -1;
  }

  @Test
  void vocabInitSamplesEmbeddingsOfRegularTokens() {
    try (ParityModel h = new ParityModel("t0-tiny", PromptTestKit.create("prompt_tuning",
        Map.of("num_virtual_tokens", 6, "init", "vocab")))) {
      float[][] rows = rowsOf(h);
      assertThat(rows).hasNumberOfRows(12);
      for (float[] row : rows) {
        assertThat(tokenOf(h, row)).isBetween(3, 127); // [3, min(5003, vocab 128))
      }
    }
  }

  @Test
  void classLabelsComeFirstInEachHalfThenSampledTokens() {
    try (ParityModel h = new ParityModel("t0-tiny", PromptTestKit.create("prompt_tuning",
        Map.of("num_virtual_tokens", 4, "init", "class_labels", "init_token_ids", List.of("11 12"))))) {
      float[][] rows = rowsOf(h);
      assertThat(rows[0]).containsExactly(embedding(h, 11));
      assertThat(rows[1]).containsExactly(embedding(h, 12));
      assertThat(rows[4]).containsExactly(embedding(h, 11)); // decoder half
      assertThat(tokenOf(h, rows[2])).isBetween(3, 127);
    }
  }

  @Test
  void textRepeatsTheIds() {
    try (ParityModel h = new ParityModel("t5-tiny", PromptTestKit.create("prompt_tuning",
        Map.of("num_virtual_tokens", 4, "decoder", false, "init", "text", "init_token_ids", List.of("7", "8,9"))))) {
      float[][] rows = rowsOf(h);
      assertThat(rows).hasNumberOfRows(4);
      int[] ids = Arrays.stream(rows).mapToInt(r -> tokenOf(h, r)).toArray();
      assertThat(ids).containsExactly(7, 8, 9, 7);
    }
  }

  @Test
  void randomInitIsNormalWithTheGivenStd() {
    try (ParityModel h = new ParityModel("t0-tiny", PromptTestKit.create("prompt_tuning",
        Map.of("num_virtual_tokens", 50, "init", "random", "init_std", 0.5)))) {
      float[] v = h.graph.parameters().read(h.session, "prompt_embeddings");
      double sq = 0;
      for (float x : v) {
        sq += x * x;
      }
      assertThat(Math.sqrt(sq / v.length)).isBetween(0.45, 0.55);
    }
  }

  @Test
  void configErrors() {
    assertThatThrownBy(() -> PromptTestKit.create("prompt_tuning", Map.of("init", "text")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("init_token_ids");
    assertThatThrownBy(() -> PromptTestKit.create("prompt_tuning", Map.of("init", "vocabulary")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("random, vocab, text or class_labels");
    assertThatThrownBy(() -> PromptTestKit.create("prompt_tuning",
        Map.of("init", "text", "init_token_ids", List.of("7 x"))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'x' is not a token id");
    assertThatThrownBy(() -> PromptTestKit.create("prompt_tuning", Map.of("num_virtual_tokens", 0)))
        .isInstanceOf(ConfigException.class).hasMessageContaining(">= 1");
    assertThatThrownBy(() -> PromptTestKit.create("prompt_tuning", Map.of("unused_decoder_rows", true)))
        .isInstanceOf(ConfigException.class).hasMessageContaining("exclusive");
    assertThatThrownBy(() -> PromptTestKit.create("prompt_tuning", Map.of("init_token_ids", List.of("3"))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("only used with");
    // An id beyond the vocabulary fails while the graph is built, naming the vocabulary size.
    assertThatThrownBy(() -> new ParityModel("t0-tiny", PromptTestKit.create("prompt_tuning",
        Map.of("init", "text", "init_token_ids", List.of("500"))))).hasMessageContaining("128 tokens");
    assertThat(NAME).isEqualTo("fixture0");
  }
}
