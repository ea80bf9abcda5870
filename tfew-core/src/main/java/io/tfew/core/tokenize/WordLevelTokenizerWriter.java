package io.tfew.core.tokenize;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.tfew.api.TfewException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a Hugging Face {@code tokenizer.json} for a whitespace word-level vocabulary with T5's special
 * ids ({@code <pad>}=0, {@code </s>}=1, {@code <unk>}=2) and EOS appended by the post-processor. Tiny
 * models made by tfew's own code (tests, benchmarks, synthetic tasks) use it instead of the 32k
 * SentencePiece vocabulary.
 */
public final class WordLevelTokenizerWriter {
  private WordLevelTokenizerWriter() {}

  /** Writes {@code file}; word {@code i} of {@code words} gets id {@code i + 3}. */
  public static void write(Path file, List<String> words) {
    Map<String, Integer> vocab = new LinkedHashMap<>();
    vocab.put("<pad>", 0);
    vocab.put("</s>", 1);
    vocab.put("<unk>", 2);
    for (String w : words) {
      if (w.isBlank() || w.chars().anyMatch(Character::isWhitespace) || vocab.putIfAbsent(w, vocab.size()) != null) {
        throw new TfewException("word-level vocabulary: '" + w + "' is blank, holds whitespace or repeats");
      }
    }
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("version", "1.0");
    root.put("truncation", null);
    root.put("padding", null);
    root.put("added_tokens", List.of(special(0, "<pad>"), special(1, "</s>"), special(2, "<unk>")));
    root.put("normalizer", null);
    root.put("pre_tokenizer", Map.of("type", "WhitespaceSplit"));
    Map<String, Object> eos = Map.of("SpecialToken", Map.of("id", "</s>", "type_id", 0));
    Map<String, Object> post = new LinkedHashMap<>();
    post.put("type", "TemplateProcessing");
    post.put("single", List.of(Map.of("Sequence", Map.of("id", "A", "type_id", 0)), eos));
    post.put("pair", List.of(Map.of("Sequence", Map.of("id", "A", "type_id", 0)), eos,
        Map.of("Sequence", Map.of("id", "B", "type_id", 0)), eos));
    post.put("special_tokens", Map.of("</s>", Map.of("id", "</s>", "ids", List.of(1), "tokens", List.of("</s>"))));
    root.put("post_processor", post);
    root.put("decoder", null);
    Map<String, Object> model = new LinkedHashMap<>();
    model.put("type", "WordLevel");
    model.put("vocab", vocab);
    model.put("unk_token", "<unk>");
    root.put("model", model);
    try {
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), root);
    } catch (IOException e) {
      throw new TfewException(file + ": cannot write (" + e.getMessage() + ")");
    }
  }

  private static Map<String, Object> special(int id, String content) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", id);
    m.put("content", content);
    m.put("single_word", false);
    m.put("lstrip", false);
    m.put("rstrip", false);
    m.put("normalized", false);
    m.put("special", true);
    return m;
  }
}
