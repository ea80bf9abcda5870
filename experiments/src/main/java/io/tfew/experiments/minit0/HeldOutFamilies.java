package io.tfew.experiments.minit0;

import static io.tfew.experiments.minit0.Draws.pick;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The held-out families, fixed by design before any measurement: each re-uses a trained skill in a new
 * surface form whose answer maps onto a trained behaviour (the families that transferred in the PyTorch
 * prototype, docs/mini-t0-notes.md). All three are reported, never a subset.
 */
public final class HeldOutFamilies {
  private static final String TARGET = " ||| {{ answer_choices[label] }}";

  private HeldOutFamilies() {}

  public static List<HeldOutFamily> all() {
    return List.of(rating(), notLike(), positiveChoice());
  }

  /** Sentiment of a review with verbalizers never trained on reviews; label 1 = positive. */
  static HeldOutFamily rating() {
    return new HeldOutFamily("rating", "the rating of a short review (sentiment with new answer words)", List.of(
        new HeldOutFamily.Template("high or low", "{{review}} . rating : high or low ?" + TARGET, "low ||| high"),
        new HeldOutFamily.Template("thumbs", "{{review}} . thumbs up or thumbs down ?" + TARGET, "down ||| up"),
        new HeldOutFamily.Template("recommend", "review : {{review}} . would you recommend it ?" + TARGET,
            "no ||| yes")),
        (label, r) -> {
          Map<String, Object> row = new LinkedHashMap<>();
          row.put("review", Draws.review(label == 1, r));
          return row;
        });
  }

  /** Odd-one-out as a choice between two words, one of the anchor's kind; label = index of the odd one. */
  static HeldOutFamily notLike() {
    String choices = "{{a}} ||| {{b}}";
    return new HeldOutFamily("not_like", "which of two words is not like an anchor word (odd-one-out as a choice)",
        List.of(
            new HeldOutFamily.Template("not like", "which one is not like {{word}} : {{a}} or {{b}} ?" + TARGET, choices),
            new HeldOutFamily.Template("does not belong",
                "{{word}} , {{a}} , {{b}} . which one does not belong : {{a}} or {{b}} ?" + TARGET, choices),
            new HeldOutFamily.Template("pick", "pick the word that is not like {{word}} : {{a}} or {{b}}" + TARGET,
                choices)),
        (label, r) -> {
          String category = pick(List.copyOf(Vocabulary.CATEGORIES.keySet()), r);
          List<String> same = Draws.distinct(Vocabulary.CATEGORIES.get(category), 2, r);
          String odd = pick(Vocabulary.CATEGORIES.get(Draws.otherCategory(category, r)), r);
          List<String> ab = new ArrayList<>(List.of(same.get(1), same.get(1)));
          ab.set(label, odd);
          Map<String, Object> row = new LinkedHashMap<>();
          row.put("word", same.get(0));
          row.put("a", ab.get(0));
          row.put("b", ab.get(1));
          return row;
        });
  }

  /** Word polarity as a choice between a positive and a negative word; label = index of the positive one. */
  static HeldOutFamily positiveChoice() {
    String choices = "{{a}} ||| {{b}}";
    return new HeldOutFamily("positive_choice", "which of two words is positive (word polarity as a choice)",
        List.of(
            new HeldOutFamily.Template("which positive", "which word is positive : {{a}} or {{b}} ?" + TARGET, choices),
            new HeldOutFamily.Template("which good", "which word is good : {{a}} or {{b}} ?" + TARGET, choices),
            new HeldOutFamily.Template("pick positive", "{{a}} or {{b}} . pick the positive word" + TARGET, choices)),
        (label, r) -> {
          List<String> ab = new ArrayList<>(List.of(pick(Vocabulary.NEGATIVE, r), pick(Vocabulary.NEGATIVE, r)));
          ab.set(label, pick(Vocabulary.POSITIVE, r));
          Map<String, Object> row = new LinkedHashMap<>();
          row.put("a", ab.get(0));
          row.put("b", ab.get(1));
          return row;
        });
  }
}
