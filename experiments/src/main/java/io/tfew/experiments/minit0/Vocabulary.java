package io.tfew.experiments.minit0;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The mini-T0 word list: five word categories, polarity words, number words, and the words the
 * templates are made of. Every word is one token; punctuation marks are words of their own, so a
 * template writes {@code "cat , dog ?"}, never {@code "cat, dog?"}.
 */
public final class Vocabulary {
  /** Category name to its member words; the names are themselves answers ("what kind of word"). */
  public static final Map<String, List<String>> CATEGORIES = categories();
  public static final List<String> POSITIVE = List.of("good", "great", "happy", "love", "nice", "fine", "best",
      "fun", "glad", "lovely", "cool", "perfect", "sweet", "fresh", "clean", "brilliant");
  public static final List<String> NEGATIVE = List.of("bad", "awful", "sad", "hate", "poor", "boring", "worst",
      "ugly", "dull", "nasty", "rude", "dirty", "terrible", "broken", "cold", "angry");
  /** one .. ten; index {@code i} is the number {@code i + 1}. */
  public static final List<String> NUMBERS = List.of("one", "two", "three", "four", "five", "six", "seven",
      "eight", "nine", "ten");
  /** Template words, answer words and held-out verbalizers (trained through the list and synonym families). */
  public static final List<String> OTHER = List.of(
      "?", ":", ".", ",", "the", "a", "an", "was", "is", "it", "and", "very", "so", "really", "this", "that",
      "what", "which", "word", "words", "does", "not", "belong", "like", "kind", "of", "are", "in", "list",
      "how", "many", "comes", "after", "larger", "more", "than", "or", "review", "text", "topic", "about",
      "repeat", "reverse", "first", "last", "did", "they", "writer", "means", "another", "for", "same", "odd",
      "out", "yes", "no", "positive", "negative", "true", "false", "high", "low", "up", "down", "rating",
      "thumbs", "would", "you", "recommend", "avoid", "pick", "number", "count", "then", "to", "its", "feel",
      "mood", "answer", "question", "choose", "between", "similar", "different", "be", "looks", "seems", "others");

  private static final List<String> ALL = all();

  private Vocabulary() {}

  private static Map<String, List<String>> categories() {
    Map<String, List<String>> m = new LinkedHashMap<>();
    m.put("color", List.of("red", "blue", "green", "yellow", "black", "white", "pink", "brown"));
    m.put("animal", List.of("cat", "dog", "cow", "horse", "bird", "fish", "pig", "duck"));
    m.put("food", List.of("bread", "apple", "cake", "rice", "soup", "cheese", "egg", "pizza"));
    m.put("object", List.of("car", "chair", "table", "cup", "book", "phone", "lamp", "box"));
    m.put("place", List.of("city", "park", "school", "beach", "farm", "house", "shop", "river"));
    return java.util.Collections.unmodifiableMap(m);
  }

  private static List<String> all() {
    Set<String> words = new LinkedHashSet<>();
    CATEGORIES.forEach((name, members) -> {
      words.add(name);
      words.addAll(members);
    });
    words.addAll(POSITIVE);
    words.addAll(NEGATIVE);
    words.addAll(NUMBERS);
    words.addAll(OTHER);
    return List.copyOf(words);
  }

  /** Every word once, in a fixed order: the tokenizer gives word {@code i} the id {@code i + 3}. */
  public static List<String> words() {
    return ALL;
  }

  /** Every category member, category by category. */
  public static List<String> categoryWords() {
    List<String> out = new ArrayList<>();
    CATEGORIES.values().forEach(out::addAll);
    return out;
  }

  /** The category of a member word, or {@code null}. */
  public static String categoryOf(String word) {
    for (Map.Entry<String, List<String>> e : CATEGORIES.entrySet()) {
      if (e.getValue().contains(word)) {
        return e.getKey();
      }
    }
    return null;
  }
}
