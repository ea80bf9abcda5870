package io.tfew.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tfew.api.TfewException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class T5ConfigTest {
  /** The fields HF's T5Config has no default for (in tfew's reading). */
  private static final String REQUIRED =
      "\"d_model\": 32, \"d_kv\": 8, \"num_heads\": 4, \"d_ff\": 64, \"num_layers\": 3, \"vocab_size\": 100";

  @TempDir
  Path tmp;

  private Path write(String json) throws IOException {
    Path file = tmp.resolve("config.json");
    Files.writeString(file, json, StandardCharsets.UTF_8);
    return file;
  }

  @Test
  void absentFieldsTakeHuggingFaceDefaults() throws IOException {
    Path file = write("{" + REQUIRED + "}");

    T5Config c = T5Config.read(file);

    assertThat(c.source()).isEqualTo(file);
    assertThat(c.dModel()).isEqualTo(32);
    assertThat(c.numLayers()).isEqualTo(3);
    assertThat(c.numDecoderLayers()).isEqualTo(3);
    assertThat(c.gatedFfn()).isFalse();
    assertThat(c.activation()).isEqualTo(FfnActivation.RELU);
    assertThat(c.tieWordEmbeddings()).isTrue();
    assertThat(c.relativeAttentionNumBuckets()).isEqualTo(32);
    assertThat(c.relativeAttentionMaxDistance()).isEqualTo(128);
    assertThat(c.layerNormEpsilon()).isEqualTo(1e-6);
    assertThat(c.dropoutRate()).isEqualTo(0.1);
    assertThat(c.decoderStartTokenId()).isZero();
    assertThat(c.padTokenId()).isZero();
    assertThat(c.eosTokenId()).isEqualTo(1);
    assertThat(c.innerDim()).isEqualTo(32);
  }

  @Test
  void explicitDecoderLayersOverrideTheEncoderCount() throws IOException {
    T5Config c = T5Config.read(write("{" + REQUIRED + ", \"num_decoder_layers\": 5}"));

    assertThat(c.numLayers()).isEqualTo(3);
    assertThat(c.numDecoderLayers()).isEqualTo(5);
  }

  @Test
  void gatedGeluMeansTheTanhApproximation() throws IOException {
    T5Config c = T5Config.read(write("{" + REQUIRED + ", \"feed_forward_proj\": \"gated-gelu\"}"));

    assertThat(c.gatedFfn()).isTrue();
    assertThat(c.activation()).isEqualTo(FfnActivation.GELU_NEW);
  }

  @Test
  void gatedSiluIsGatedSilu() throws IOException {
    T5Config c = T5Config.read(write("{" + REQUIRED + ", \"feed_forward_proj\": \"gated-silu\"}"));

    assertThat(c.gatedFfn()).isTrue();
    assertThat(c.activation()).isEqualTo(FfnActivation.SILU);
  }

  @Test
  void plainGeluIsExactAndUngated() throws IOException {
    T5Config c = T5Config.read(write("{" + REQUIRED + ", \"feed_forward_proj\": \"gelu\"}"));

    assertThat(c.gatedFfn()).isFalse();
    assertThat(c.activation()).isEqualTo(FfnActivation.GELU);
  }

  @Test
  void theParityFixtureConfigsReadAsDocumented() {
    T5Config t0 = T5Config.read(io.tfew.core.testing.SharedFixtures.path("fixtures/t5-parity/t0-tiny/config.json"));

    assertThat(t0.dModel()).isEqualTo(48);
    assertThat(t0.numLayers()).isEqualTo(2);
    assertThat(t0.numDecoderLayers()).isEqualTo(3);
    assertThat(t0.gatedFfn()).isTrue();
    assertThat(t0.activation()).isEqualTo(FfnActivation.GELU_NEW);
    assertThat(t0.tieWordEmbeddings()).isFalse();
    assertThat(t0.vocabSize()).isEqualTo(128);
  }

  static Stream<Arguments> badConfigs() {
    return Stream.of(
        Arguments.of("missing d_model", "{" + REQUIRED.replace("\"d_model\": 32, ", "") + "}",
            new String[] {"'d_model'", "missing"}),
        Arguments.of("d_model not a number", "{" + REQUIRED.replace("\"d_model\": 32", "\"d_model\": \"abc\"") + "}",
            new String[] {"'d_model'", "integer", "abc"}),
        Arguments.of("negative num_heads", "{" + REQUIRED.replace("\"num_heads\": 4", "\"num_heads\": -4") + "}",
            new String[] {"'num_heads'", "-4"}),
        Arguments.of("fractional d_ff", "{" + REQUIRED.replace("\"d_ff\": 64", "\"d_ff\": 64.5") + "}",
            new String[] {"'d_ff'", "integer"}),
        Arguments.of("three-part feed_forward_proj", "{" + REQUIRED + ", \"feed_forward_proj\": \"gated-foo-bar\"}",
            new String[] {"feed_forward_proj", "gated-foo-bar"}),
        Arguments.of("unknown activation", "{" + REQUIRED + ", \"feed_forward_proj\": \"tanh\"}",
            new String[] {"feed_forward_proj", "'tanh'", "relu"}),
        Arguments.of("unknown gated activation", "{" + REQUIRED + ", \"feed_forward_proj\": \"gated-foo\"}",
            new String[] {"feed_forward_proj", "'foo'"}),
        Arguments.of("pad id outside the vocabulary", "{" + REQUIRED + ", \"pad_token_id\": 100}",
            new String[] {"pad_token_id", "100", "vocab_size"}),
        Arguments.of("eos id outside the vocabulary", "{" + REQUIRED + ", \"eos_token_id\": 250}",
            new String[] {"eos_token_id", "250"}),
        Arguments.of("not a T5 model", "{" + REQUIRED + ", \"model_type\": \"bert\"}",
            new String[] {"model_type", "bert"}),
        Arguments.of("tie_word_embeddings as a string", "{" + REQUIRED + ", \"tie_word_embeddings\": \"yes\"}",
            new String[] {"tie_word_embeddings", "true or false"}),
        Arguments.of("not JSON", "{\"d_model\": 32,", new String[] {"not valid JSON"}),
        Arguments.of("JSON array", "[" + REQUIRED.replace(":", ",") + "]", new String[] {"JSON object"}));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badConfigs")
  void badValuesNameTheFileAndTheField(String name, String json, String[] mentions) throws IOException {
    Path file = write(json);

    assertThatThrownBy(() -> T5Config.read(file))
        .isInstanceOf(TfewException.class)
        .hasMessageStartingWith(file.toString())
        .hasMessageContainingAll(mentions);
  }

  @Test
  void aMissingFileIsNamed() {
    Path file = tmp.resolve("nowhere/config.json");

    assertThatThrownBy(() -> T5Config.read(file))
        .isInstanceOf(TfewException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("does not exist");
  }

  @Test
  void aDeviceIsNamedAsNotARegularFileAndNotRead() {
    assertThatThrownBy(() -> T5Config.read(Path.of("/dev/zero")))
        .isInstanceOf(TfewException.class)
        .hasMessageStartingWith("/dev/zero: is a character device, not a regular file");
  }

  @Test
  void aFileOfAnotherFormatIsNotQuoted() throws IOException {
    Path file = Files.writeString(tmp.resolve("config.json"), "root:x:0:0:root:/root:/bin/bash\n");
    assertThatThrownBy(() -> T5Config.read(file))
        .isInstanceOf(TfewException.class)
        .hasMessageStartingWith(file + ": is not valid JSON at line 1")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("root:"));
  }
}
