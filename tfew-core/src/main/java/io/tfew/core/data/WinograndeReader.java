package io.tfew.core.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads WinoGrande from MosaicML's converted jsonl ({@code {"context_options": [..., ...],
 * "continuation": ..., "gold": 0|1}}) back into Hugging Face {@code winogrande} rows:
 * {@code sentence, option1, option2, answer} plus T-Few's integer {@code label}.
 *
 * <p>The conversion put each option in place of the blank and cut the sentence there, so each
 * context option is {@code prefix + option}. The prefix is recovered as the longest common
 * prefix of the two options <em>cut back to a word boundary</em>: a character diff would split
 * "pen"/"pencil" into ""/"cil". Then {@code sentence = prefix + "_ " + continuation},
 * {@code answer = String.valueOf(gold + 1)} as HF's {@code "1"}/{@code "2"}, and
 * {@code label = gold} as in T-Few's few-shot files.
 *
 * <p>The conversion also stripped the space after the blank. The original WinoGrande text keeps a
 * space on both sides of {@code _}, even before a full stop ({@code "... the _ ."}; every one of
 * T-Few's few-shot rows does), so the reader puts it back. The one exception is a continuation that
 * starts with an apostrophe ({@code 's}): whether the original reads {@code _'s} or {@code _ 's}
 * cannot be told from the converted text, and such rows are read as {@code _'s}.
 *
 * <p>When both original options began with the same word ("the home"/"the house"), that word
 * lands in the sentence instead of the options; the recovered rows cannot tell the difference.
 */
public final class WinograndeReader implements DatasetReader {

  @Override
  public List<Map<String, Object>> read(Path file) {
    return JsonlRows.read(file, WinograndeReader::row);
  }

  private static Map<String, Object> row(Where at, ObjectNode json) {
    JsonNode options = json.get("context_options");
    if (options == null || !options.isArray() || options.size() != 2
        || !options.get(0).isTextual() || !options.get(1).isTextual()) {
      throw at.error(
          "field \"context_options\" must be a list of two strings (the sentence up to the"
              + " blank, filled with each option), got " + JsonlRows.kind(options));
    }
    String continuation = JsonlRows.text(at, json, "continuation");
    int gold = JsonlRows.integer(at, json, "gold");
    if (gold != 0 && gold != 1) {
      throw at.error("field \"gold\" is " + gold + "; use 0 (first option) or 1 (second)");
    }
    String a = options.get(0).asText();
    String b = options.get(1).asText();
    int cut = wordBoundaryPrefix(a, b);
    String option1 = a.substring(cut);
    String option2 = b.substring(cut);
    if (option1.isEmpty() || option2.isEmpty() || option1.equals(option2)) {
      throw at.error(
          "field \"context_options\": the two options cannot be told apart (\"" + option1
              + "\" / \"" + option2 + "\"); each option must end in a different word");
    }
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("sentence", a.substring(0, cut) + "_" + joiner(continuation) + continuation);
    row.put("option1", option1);
    row.put("option2", option2);
    row.put("answer", String.valueOf(gold + 1));
    row.put("label", gold);
    return row;
  }

  /** The length of the longest common prefix of {@code a} and {@code b} that ends after a space. */
  static int wordBoundaryPrefix(String a, String b) {
    int n = 0;
    int max = Math.min(a.length(), b.length());
    while (n < max && a.charAt(n) == b.charAt(n)) {
      n++;
    }
    while (n > 0 && a.charAt(n - 1) != ' ') {
      n--;
    }
    return n;
  }

  private static String joiner(String continuation) {
    return continuation.isEmpty() || continuation.charAt(0) == '\'' ? "" : " ";
  }
}
