package io.tfew.core.tokenize;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tfew.api.TfewException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A T5 tokenizer read from a Hugging Face {@code tokenizer.json}, with the T5 sequence policy made
 * explicit: every encoding ends in exactly one {@code </s>}, long inputs are cut so that EOS stays
 * last and the length equals {@link #maxSeqLen()}, and nothing is padded (batching pads).
 *
 * <p>The DJL wrapper's own truncation, padding and {@code tokenizer_config.json} lookup are turned
 * off so the ids depend on {@code tokenizer.json} and {@code maxSeqLen} alone.
 *
 * <pre>{@code
 * try (T5Tokenizer tok = T5Tokenizer.load(Path.of("t5/tokenizer.json"), 512)) {
 *   int[] ids = tok.encode("translate English to German: The house is wonderful.");
 * }
 * }</pre>
 */
public final class T5Tokenizer implements AutoCloseable {
  static {
    DjlOffline.ensure();
  }

  static final String EOS = "</s>";
  static final String PAD = "<pad>";

  // A short probe is enough to tell whether the post-processor appends EOS; its content is irrelevant.
  private static final String PROBE = "x";

  private static final Map<String, String> OPTIONS =
      Map.of("addSpecialTokens", "true", "truncation", "false", "padding", "false");

  private final HuggingFaceTokenizer hf;
  private final int maxSeqLen;
  private final int eosId;
  private final int padId;
  private final boolean postProcessorAddsEos;

  private T5Tokenizer(HuggingFaceTokenizer hf, int maxSeqLen, int eosId, int padId, boolean adds) {
    this.hf = hf;
    this.maxSeqLen = maxSeqLen;
    this.eosId = eosId;
    this.padId = padId;
    this.postProcessorAddsEos = adds;
  }

  /**
   * Loads {@code tokenizerJson}; fails with a {@link TfewException} naming the file when it is
   * missing, unreadable, not JSON, not a tokenizer, or lacks {@code </s>} or {@code <pad>}.
   */
  public static T5Tokenizer load(Path tokenizerJson, int maxSeqLen) {
    Objects.requireNonNull(tokenizerJson, "tokenizerJson");
    if (maxSeqLen < 1) {
      throw new TfewException(
          "max sequence length " + maxSeqLen + " for " + tokenizerJson
              + " is too small; use at least 1 (room for </s>)");
    }
    byte[] json = readValidJson(tokenizerJson);
    HuggingFaceTokenizer hf;
    try {
      hf = HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(json), OPTIONS);
    } catch (IOException | RuntimeException e) {
      throw new TfewException(
          tokenizerJson + ": not a usable Hugging Face tokenizer (" + e.getMessage()
              + "); point to the tokenizer.json saved with the model", e);
    }
    try {
      int eos = tokenId(hf, EOS, tokenizerJson);
      int pad = tokenId(hf, PAD, tokenizerJson);
      return new T5Tokenizer(hf, maxSeqLen, eos, pad, probeAddsEos(hf, eos));
    } catch (RuntimeException e) {
      hf.close();
      throw e;
    }
  }

  /** Token ids of {@code text}, ending in exactly one EOS and at most {@link #maxSeqLen()} long. */
  public int[] encode(String text) {
    Objects.requireNonNull(text, "text");
    return finish(hf.encode(text, true, false).getIds());
  }

  /** {@link #encode(String)} for each text, in order. */
  public int[][] encodeAll(List<String> texts) {
    Objects.requireNonNull(texts, "texts");
    if (texts.isEmpty()) {
      return new int[0][];
    }
    texts.forEach(t -> Objects.requireNonNull(t, "texts contains null"));
    Encoding[] encodings = hf.batchEncode(texts, true, false);
    int[][] out = new int[encodings.length][];
    for (int i = 0; i < encodings.length; i++) {
      out[i] = finish(encodings[i].getIds());
    }
    return out;
  }

  /** Text for {@code ids}, leaving out special tokens such as padding and EOS. */
  public String decode(int[] ids) {
    Objects.requireNonNull(ids, "ids");
    return hf.decode(Arrays.stream(ids).asLongStream().toArray(), true);
  }

  public int eosId() {
    return eosId;
  }

  public int padId() {
    return padId;
  }

  public int maxSeqLen() {
    return maxSeqLen;
  }

  /** Frees the native tokenizer; the instance cannot be used afterwards. */
  @Override
  public void close() {
    hf.close();
  }

  private int[] finish(long[] raw) {
    // Trust the load-time probe rather than the last id: the text itself may end in a literal "</s>".
    int n = postProcessorAddsEos ? raw.length : raw.length + 1;
    int len = Math.min(n, maxSeqLen);
    int[] ids = new int[len];
    for (int i = 0; i < len - 1; i++) {
      ids[i] = Math.toIntExact(raw[i]);
    }
    ids[len - 1] = eosId;
    return ids;
  }

  private static byte[] readValidJson(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new TfewException(
          "tokenizer file " + file + " does not exist or is not a file;"
              + " pass the path of the model's tokenizer.json");
    }
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new TfewException(
          "tokenizer file " + file + " cannot be read (" + e + "); check its permissions", e);
    }
    // Jackson first, because the native parser's errors do not say where the JSON is broken.
    try {
      JsonNode root = new ObjectMapper().readTree(bytes);
      if (root == null || !root.isObject()) {
        throw new TfewException(
            "tokenizer file " + file + " is not a JSON object;"
                + " pass a Hugging Face tokenizer.json");
      }
    } catch (JsonProcessingException e) {
      throw new TfewException(
          "tokenizer file " + file + " is not valid JSON" + location(e) + " ("
              + e.getOriginalMessage() + "); re-download or re-save the tokenizer.json", e);
    } catch (IOException e) {
      throw new TfewException("tokenizer file " + file + " cannot be parsed (" + e + ")", e);
    }
    return bytes;
  }

  private static String location(JsonProcessingException e) {
    return e.getLocation() == null
        ? ""
        : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
  }

  private static int tokenId(HuggingFaceTokenizer hf, String token, Path file) {
    Encoding e = hf.encode(token, false, false);
    long[] ids = e.getIds();
    String[] tokens = e.getTokens();
    if (ids.length != 1 || !token.equals(tokens[0])) {
      throw new TfewException(
          file + ": the tokenizer has no " + token + " token, which T5 needs;"
              + " use a T5-family tokenizer.json (it lists " + token + " in added_tokens)");
    }
    return Math.toIntExact(ids[0]);
  }

  private static boolean probeAddsEos(HuggingFaceTokenizer hf, int eos) {
    long[] with = hf.encode(PROBE, true, false).getIds();
    long[] without = hf.encode(PROBE, false, false).getIds();
    return with.length > without.length && with[with.length - 1] == eos;
  }
}
