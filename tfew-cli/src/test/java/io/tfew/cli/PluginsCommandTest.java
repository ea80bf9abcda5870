package io.tfew.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tfew.core.testing.SharedFixtures;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class PluginsCommandTest {

  @Test
  void listsTheThreeSectionsInOrder() {
    CliRun run = CliRun.of("plugins");

    assertThat(run.exit()).as(run.toString()).isZero();
    assertThat(run.err()).isEmpty();
    List<String> lines = run.outLines();
    // The CLI's class path is the distribution, so each section lists the built-in plugins of its kind.
    int methods = lines.indexOf("PEFT methods:");
    int losses = lines.indexOf("losses:");
    int evaluators = lines.indexOf("evaluators:");
    assertThat(methods).isZero();
    assertThat(losses).isGreaterThan(methods);
    assertThat(evaluators).isGreaterThan(losses);
    assertThat(lines.subList(methods, losses)).anyMatch(l -> l.startsWith("  ia3 - "));
    assertThat(lines.subList(losses, evaluators)).anyMatch(l -> l.startsWith("  unlikelihood - "));
    assertThat(lines.subList(evaluators, lines.size())).anyMatch(l -> l.startsWith("  accuracy - "));
  }

  @Test
  void printsTheT0ThreeBillionBaseParameterCount() throws IOException {
    Path config = SharedFixtures.path("fixtures/configs/t0-3b/config.json");
    long expected = t5ParameterCount(new ObjectMapper().readTree(config.toFile()));
    // T0-3B (T5 v1.1 XL LM-adapted) is published as about 2.85e9 parameters.
    assertThat(expected).isBetween(2_840_000_000L, 2_860_000_000L);

    CliRun run = CliRun.of("plugins", "--model", config.toString());

    assertThat(run.exit()).as(run.toString()).isZero();
    assertThat(run.outLines().get(0))
        .isEqualTo(String.format(Locale.ROOT, "model %s: %,d base parameters", config, expected));
    assertThat(run.outLines()).contains("PEFT methods:", "losses:", "evaluators:");
  }

  @Test
  void aModelDirectoryIsReadThroughItsConfigJson() throws IOException {
    Path dir = SharedFixtures.path("fixtures/t5-parity/t5-tiny");
    long expected = t5ParameterCount(new ObjectMapper().readTree(dir.resolve("config.json").toFile()));

    CliRun run = CliRun.of("plugins", "--model", dir.toString());

    assertThat(run.exit()).as(run.toString()).isZero();
    assertThat(run.outLines().get(0)).endsWith(String.format(Locale.ROOT, ": %,d base parameters", expected));
  }

  /**
   * HF's T5ForConditionalGeneration parameter count from the config alone: embeddings, per-block
   * attention, FFN and RMS-norm weights, one relative-position bias per stack, final norms, and the
   * LM head when it is not tied to the embeddings.
   */
  static long t5ParameterCount(JsonNode c) {
    long d = c.get("d_model").longValue();
    long inner = c.get("num_heads").longValue() * c.get("d_kv").longValue();
    long ff = c.get("d_ff").longValue();
    long vocab = c.get("vocab_size").longValue();
    long heads = c.get("num_heads").longValue();
    long buckets = c.path("relative_attention_num_buckets").asLong(32);
    long encLayers = c.get("num_layers").longValue();
    long decLayers = c.path("num_decoder_layers").asLong(encLayers);
    boolean gated = c.path("feed_forward_proj").asText("relu").startsWith("gated-");
    boolean tied = c.path("tie_word_embeddings").asBoolean(true);

    long attention = 4 * d * inner; // q, k, v: [inner, d]; o: [d, inner]
    long ffn = (gated ? 3 : 2) * d * ff;
    long encoderBlock = attention + ffn + 2 * d;
    long decoderBlock = 2 * attention + ffn + 3 * d;
    long relativeBias = buckets * heads;
    long encoder = encLayers * encoderBlock + relativeBias + d;
    long decoder = decLayers * decoderBlock + relativeBias + d;
    return vocab * d + encoder + decoder + (tied ? 0 : vocab * d);
  }
}
