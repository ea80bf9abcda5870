package io.tfew.experiments.minit0;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Random choices over word lists, shared by the families. */
final class Draws {
  private Draws() {}

  static <T> T pick(List<T> list, SplittableRandom r) {
    return list.get(r.nextInt(list.size()));
  }

  /** {@code k} distinct elements in random order. */
  static <T> List<T> distinct(List<T> list, int k, SplittableRandom r) {
    List<T> pool = new ArrayList<>(list);
    List<T> out = new ArrayList<>(k);
    for (int i = 0; i < k; i++) {
      out.add(pool.remove(r.nextInt(pool.size())));
    }
    return out;
  }

  static <T> void shuffle(List<T> list, SplittableRandom r) {
    for (int i = list.size() - 1; i > 0; i--) {
      int j = r.nextInt(i + 1);
      T t = list.get(i);
      list.set(i, list.get(j));
      list.set(j, t);
    }
  }

  /** A category name other than {@code not}. */
  static String otherCategory(String not, SplittableRandom r) {
    List<String> names = new ArrayList<>(Vocabulary.CATEGORIES.keySet());
    names.remove(not);
    return pick(names, r);
  }

  /**
   * A short review whose polarity words all agree: "the cake was very awful and sad". The subject is a
   * category word, so reviews mention things without being about sentiment words alone.
   */
  static String review(boolean positive, SplittableRandom r) {
    List<String> polar = positive ? Vocabulary.POSITIVE : Vocabulary.NEGATIVE;
    StringBuilder s = new StringBuilder("the ").append(pick(Vocabulary.categoryWords(), r));
    s.append(' ').append(pick(List.of("was", "is", "looks", "seems"), r));
    int adverb = r.nextInt(4);
    if (adverb > 0) {
      s.append(' ').append(List.of("very", "so", "really").get(adverb - 1));
    }
    List<String> words = distinct(polar, 1 + r.nextInt(2), r);
    s.append(' ').append(String.join(" and ", words));
    return s.toString();
  }
}
