package io.tfew.experiments.minit0;

import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * A training family: a latent fact drawn at random, rendered by one of its templates. Everything random
 * comes from the {@link SplittableRandom} passed in, so a seed fixes the whole stream.
 *
 * @param name the family's name, e.g. {@code sentiment}
 * @param facts draws one fact (the family's own record type)
 * @param templates each renders a fact as a prompt
 */
public record TaskFamily<F>(String name, Function<SplittableRandom, F> facts, List<Function<F, Prompt>> templates) {
  public TaskFamily {
    templates = List.copyOf(templates);
    if (templates.isEmpty()) {
      throw new IllegalArgumentException(name + ": a family needs at least one template");
    }
  }

  /** A fresh fact rendered by a template chosen uniformly. */
  public Prompt sample(SplittableRandom random) {
    F fact = facts.apply(random);
    return templates.get(random.nextInt(templates.size())).apply(fact);
  }

  /** The fact rendered by every template, in order (tests check each one tokenizes). */
  public List<Prompt> allTemplates(SplittableRandom random) {
    F fact = facts.apply(random);
    return templates.stream().map(t -> t.apply(fact)).toList();
  }
}
