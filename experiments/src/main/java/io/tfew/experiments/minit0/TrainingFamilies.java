package io.tfew.experiments.minit0;

import static io.tfew.experiments.minit0.Draws.distinct;
import static io.tfew.experiments.minit0.Draws.pick;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * The twelve pre-training families of mini-T0: latent skills (sentiment, categories, numbers, lists,
 * polarity) each asked in two to four surface forms. The list family draws from the whole vocabulary so
 * every token, held-out verbalizers included, gets a trained embedding; the synonym family links the
 * held-out templates' answer words to trained ones.
 */
public final class TrainingFamilies {
  /** Held-out words mapped to a trained word of the same meaning. */
  public static final Map<String, String> SYNONYMS = synonyms();

  private TrainingFamilies() {}

  private static Map<String, String> synonyms() {
    Map<String, String> m = new java.util.LinkedHashMap<>();
    m.put("true", "yes");
    m.put("false", "no");
    m.put("high", "great");
    m.put("low", "bad");
    m.put("up", "good");
    m.put("down", "bad");
    m.put("recommend", "like");
    m.put("avoid", "hate");
    m.put("similar", "same");
    m.put("different", "odd");
    m.put("more", "larger");
    return Collections.unmodifiableMap(m);
  }

  /** All twelve, in a fixed order. */
  public static List<TaskFamily<?>> all() {
    return List.of(sentiment(), topic(), wordKind(), larger(), successor(), counting(), oddOneOut(), sameKind(),
        membership(), listOps(), wordPolarity(), synonym());
  }

  private record Review(String text, boolean positive) {}

  private record Words(List<String> words, String answer) {}

  private record Pair(String a, String b, boolean yes) {}

  private static String yesNo(boolean yes) {
    return yes ? "yes" : "no";
  }

  private static <F> TaskFamily<F> family(String name, Function<SplittableRandom, F> facts,
      List<Function<F, Prompt>> templates) {
    return new TaskFamily<>(name, facts, templates);
  }

  static TaskFamily<Review> sentiment() {
    return family("sentiment", r -> {
      boolean positive = r.nextBoolean();
      return new Review(Draws.review(positive, r), positive);
    }, List.of(
        f -> new Prompt(f.text() + " . is it positive or negative ?", f.positive() ? "positive" : "negative"),
        f -> new Prompt("review : " + f.text() + " . did the writer like it ?", yesNo(f.positive())),
        f -> new Prompt(f.text() + " . the mood is", f.positive() ? "good" : "bad"),
        f -> new Prompt("review : " + f.text() + " . how does it feel ?", f.positive() ? "happy" : "sad")));
  }

  static TaskFamily<Words> topic() {
    return family("topic", r -> {
      String category = pick(List.copyOf(Vocabulary.CATEGORIES.keySet()), r);
      return new Words(distinct(Vocabulary.CATEGORIES.get(category), 3, r), category);
    }, List.of(
        f -> new Prompt("text : " + String.join(" ", f.words()) + " . what is the topic ?", f.answer()),
        f -> new Prompt(String.join(" , ", f.words()) + " . this text is about", f.answer()),
        f -> new Prompt("what is this text about : " + String.join(" and ", f.words()) + " ?", f.answer())));
  }

  static TaskFamily<Words> wordKind() {
    return family("word_kind", r -> {
      int i = r.nextInt(Vocabulary.categoryWords().size() + Vocabulary.NUMBERS.size());
      if (i < Vocabulary.categoryWords().size()) {
        String w = Vocabulary.categoryWords().get(i);
        return new Words(List.of(w), Vocabulary.categoryOf(w));
      }
      return new Words(List.of(Vocabulary.NUMBERS.get(i - Vocabulary.categoryWords().size())), "number");
    }, List.of(
        f -> new Prompt("what kind of word is " + f.words().get(0) + " ?", f.answer()),
        f -> new Prompt(f.words().get(0) + " is a kind of", f.answer()),
        f -> new Prompt("word : " + f.words().get(0) + " . kind ?", f.answer())));
  }

  static TaskFamily<Pair> larger() {
    return family("larger", r -> {
      List<String> two = distinct(Vocabulary.NUMBERS, 2, r);
      return new Pair(two.get(0), two.get(1),
          Vocabulary.NUMBERS.indexOf(two.get(0)) > Vocabulary.NUMBERS.indexOf(two.get(1)));
    }, List.of(
        f -> new Prompt("which is larger : " + f.a() + " or " + f.b() + " ?", f.yes() ? f.a() : f.b()),
        f -> new Prompt("is " + f.a() + " more than " + f.b() + " ?", yesNo(f.yes())),
        f -> new Prompt(f.a() + " or " + f.b() + " . which number is larger ?", f.yes() ? f.a() : f.b())));
  }

  static TaskFamily<Words> successor() {
    return family("successor", r -> {
      int n = r.nextInt(Vocabulary.NUMBERS.size() - 1);
      return new Words(List.of(Vocabulary.NUMBERS.get(n)), Vocabulary.NUMBERS.get(n + 1));
    }, List.of(
        f -> new Prompt("what comes after " + f.words().get(0) + " ?", f.answer()),
        f -> new Prompt("count : " + f.words().get(0) + " then", f.answer()),
        f -> new Prompt(f.words().get(0) + " , then what number ?", f.answer())));
  }

  static TaskFamily<Words> counting() {
    return family("counting", r -> {
      int k = 1 + r.nextInt(6);
      List<String> words = new ArrayList<>();
      for (int i = 0; i < k; i++) {
        words.add(pick(Vocabulary.categoryWords(), r));
      }
      return new Words(words, Vocabulary.NUMBERS.get(k - 1));
    }, List.of(
        f -> new Prompt("how many words : " + String.join(" ", f.words()) + " ?", f.answer()),
        f -> new Prompt("count the words : " + String.join(" ", f.words()), f.answer()),
        f -> new Prompt(String.join(" ", f.words()) + " . how many ?", f.answer())));
  }

  static TaskFamily<Words> oddOneOut() {
    return family("odd_one_out", r -> {
      String category = pick(List.copyOf(Vocabulary.CATEGORIES.keySet()), r);
      List<String> words = new ArrayList<>(distinct(Vocabulary.CATEGORIES.get(category), 3, r));
      String odd = pick(Vocabulary.CATEGORIES.get(Draws.otherCategory(category, r)), r);
      words.add(odd);
      Draws.shuffle(words, r);
      return new Words(words, odd);
    }, List.of(
        f -> new Prompt("which word does not belong : " + String.join(" ", f.words()) + " ?", f.answer()),
        f -> new Prompt(String.join(" ", f.words()) + " . odd one out ?", f.answer()),
        f -> new Prompt("which word is not like the others : " + String.join(" , ", f.words()) + " ?",
            f.answer())));
  }

  static TaskFamily<Pair> sameKind() {
    return family("same_kind", r -> {
      String category = pick(List.copyOf(Vocabulary.CATEGORIES.keySet()), r);
      boolean same = r.nextBoolean();
      String a = pick(Vocabulary.CATEGORIES.get(category), r);
      List<String> pool = new ArrayList<>(Vocabulary.CATEGORIES.get(same ? category : Draws.otherCategory(category, r)));
      pool.remove(a);
      return new Pair(a, pick(pool, r), same);
    }, List.of(
        f -> new Prompt("are " + f.a() + " and " + f.b() + " the same kind ?", yesNo(f.yes())),
        f -> new Prompt(f.a() + " , " + f.b() + " . same kind of word ?", yesNo(f.yes())),
        f -> new Prompt("is " + f.a() + " like " + f.b() + " ?", yesNo(f.yes()))));
  }

  static TaskFamily<Words> membership() {
    return family("membership", r -> {
      int k = 3 + r.nextInt(3);
      List<String> words = distinct(Vocabulary.categoryWords(), k + 1, r);
      boolean in = r.nextBoolean();
      String query = in ? words.get(r.nextInt(k)) : words.get(k);
      List<String> list = new ArrayList<>(words.subList(0, k));
      list.add(query);
      return new Words(list, yesNo(in));
    }, List.of(
        f -> new Prompt("is " + last(f.words()) + " in the list : " + String.join(" ", init(f.words())) + " ?",
            f.answer()),
        f -> new Prompt(String.join(" ", init(f.words())) + " . is " + last(f.words()) + " in it ?", f.answer())));
  }

  static TaskFamily<Words> listOps() {
    return family("list_ops", r -> {
      int k = 1 + r.nextInt(5);
      List<String> words = new ArrayList<>();
      for (int i = 0; i < k; i++) {
        words.add(pick(Vocabulary.words(), r));
      }
      return new Words(words, "");
    }, List.of(
        f -> new Prompt("repeat : " + String.join(" ", f.words()), String.join(" ", f.words())),
        f -> {
          List<String> reversed = new ArrayList<>(f.words());
          Collections.reverse(reversed);
          return new Prompt("reverse : " + String.join(" ", f.words()), String.join(" ", reversed));
        },
        f -> new Prompt("first word : " + String.join(" ", f.words()), f.words().get(0)),
        f -> new Prompt("last word : " + String.join(" ", f.words()), last(f.words()))));
  }

  static TaskFamily<Words> wordPolarity() {
    return family("word_polarity", r -> {
      boolean positive = r.nextBoolean();
      return new Words(List.of(pick(positive ? Vocabulary.POSITIVE : Vocabulary.NEGATIVE, r)),
          positive ? "positive" : "negative");
    }, List.of(
        f -> new Prompt("is " + f.words().get(0) + " positive or negative ?", f.answer()),
        f -> new Prompt(f.words().get(0) + " : good or bad ?", f.answer().equals("positive") ? "good" : "bad"),
        f -> new Prompt("is " + f.words().get(0) + " a good word ?", yesNo(f.answer().equals("positive")))));
  }

  static TaskFamily<Words> synonym() {
    List<String> keys = List.copyOf(SYNONYMS.keySet());
    return family("synonym", r -> {
      String w = pick(keys, r);
      return new Words(List.of(w), SYNONYMS.get(w));
    }, List.of(
        f -> new Prompt("another word for " + f.words().get(0) + " ?", f.answer()),
        f -> new Prompt(f.words().get(0) + " means", f.answer()),
        f -> new Prompt("what is a word like " + f.words().get(0) + " ?", f.answer())));
  }

  private static String last(List<String> words) {
    return words.get(words.size() - 1);
  }

  private static List<String> init(List<String> words) {
    return words.subList(0, words.size() - 1);
  }
}
