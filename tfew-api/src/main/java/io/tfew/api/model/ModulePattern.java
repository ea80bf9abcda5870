package io.tfew.api.model;

import io.tfew.api.TfewException;
import io.tfew.api.config.ConfigException;
import java.util.regex.Matcher;

/**
 * A user-written regex over Hugging Face module paths ({@code target_modules} in YAML and in PEFT's
 * {@code adapter_config.json}), full-matched in time linear in the path.
 *
 * <p>{@code java.util.regex} backtracks: fourteen {@code .*} and a {@code Z} take longer than a run's
 * life on a 40-character path. These patterns are matched by RE2/J, an automaton without backtracking,
 * so no pattern can hang a run. Its syntax is Java's and Python's for everything a module path needs
 * (classes, groups, alternation, {@code (?:...)}, {@code (?i)}); lookaround and backreferences are
 * refused at compile time, naming the pattern. The pattern itself is bounded too: at most
 * {@value #MAX_LENGTH} characters, and counted repetitions ({@code {n}}) whose expansion exceeds
 * {@value #MAX_EXPANSION} states are refused, since RE2 compiles {@code ((a{1000}){1000}){1000}} to a
 * program of 10^9 instructions.
 *
 * <pre>{@code
 * ModulePattern p = ModulePattern.compile(".*SelfAttention\\.(q|v)", "experiment.yaml: peft.target_modules");
 * p.matches("encoder.block.0.layer.0.SelfAttention.q");   // true
 * p.matches("encoder.block.0.layer.0.SelfAttention.qq");  // false: the whole path must match
 * }</pre>
 */
public final class ModulePattern {
  /** The longest pattern accepted; T-Few's longest is 60 characters. */
  public static final int MAX_LENGTH = 1000;

  /** The longest module path matched; T5's are under 60 characters. */
  public static final int MAX_PATH_LENGTH = 4096;

  /** Pattern length times the product of its repetition counts, an upper bound on RE2's program size. */
  static final long MAX_EXPANSION = 100_000;

  private static final java.util.regex.Pattern COUNTED =
      java.util.regex.Pattern.compile("\\{(\\d{1,9})(?:,(\\d{0,9}))?\\}");

  private final String regex;
  private final com.google.re2j.Pattern pattern;

  private ModulePattern(String regex, com.google.re2j.Pattern pattern) {
    this.regex = regex;
    this.pattern = pattern;
  }

  /**
   * Compiles {@code regex}, or fails naming {@code where} (the file and field that set it).
   *
   * @throws ConfigException when the pattern is not a regular expression RE2 accepts, or is too large
   */
  public static ModulePattern compile(String regex, String where) {
    if (regex == null) {
      throw new ConfigException(where + ": a module pattern must be a string, found nothing");
    }
    if (regex.length() > MAX_LENGTH) {
      throw new ConfigException(where + ": the pattern of " + regex.length() + " characters is longer than "
          + MAX_LENGTH + "; list several shorter patterns instead");
    }
    long expansion = regex.length();
    Matcher m = COUNTED.matcher(regex);
    while (m.find()) {
      if (escaped(regex, m.start())) {
        continue;
      }
      long count = m.group(2) == null || m.group(2).isEmpty() ? Long.parseLong(m.group(1))
          : Math.max(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)));
      expansion = Math.multiplyExact(expansion, Math.max(count, 1));
      if (expansion > MAX_EXPANSION) {
        throw new ConfigException(where + ": '" + regex + "' repeats too much (its counted repetitions {n} "
            + "expand to more than " + MAX_EXPANSION + " states); use * or + instead of large counts");
      }
    }
    try {
      return new ModulePattern(regex, com.google.re2j.Pattern.compile(regex));
    } catch (com.google.re2j.PatternSyntaxException e) {
      throw new ConfigException(where + ": '" + regex + "' is not a regular expression tfew accepts ("
          + e.getDescription() + "); module patterns use RE2 syntax: no lookaround or backreferences");
    }
  }

  private static boolean escaped(String s, int at) {
    int backslashes = 0;
    for (int i = at - 1; i >= 0 && s.charAt(i) == '\\'; i--) {
      backslashes++;
    }
    return backslashes % 2 == 1;
  }

  /** Whether the pattern matches the whole of {@code modulePath}. */
  public boolean matches(String modulePath) {
    if (modulePath.length() > MAX_PATH_LENGTH) {
      throw new TfewException("module path of " + modulePath.length() + " characters ('"
          + modulePath.substring(0, 60) + "...') is longer than " + MAX_PATH_LENGTH
          + "; a model's module paths are short, so the model definition is broken");
    }
    return pattern.matches(modulePath);
  }

  /** The pattern as written. */
  public String regex() {
    return regex;
  }

  @Override
  public String toString() {
    return regex;
  }
}
