package io.tfew.peft.baselines;

import io.tfew.api.config.ConfigSection;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** Module-path regexes from a config section, each matched against the whole path. */
final class Patterns {
  private Patterns() {}

  static List<Pattern> compile(ConfigSection section, String key) {
    List<String> regexes = section.getStrings(key);
    if (regexes.isEmpty()) {
      throw section.invalid(key, "must list at least one regex, or no site would be changed");
    }
    return regexes.stream().map(r -> {
      try {
        return Pattern.compile(r);
      } catch (PatternSyntaxException e) {
        throw section.invalid(key, "'" + r + "' is not a regular expression (" + e.getDescription() + ")");
      }
    }).toList();
  }

  static boolean anyMatches(List<Pattern> patterns, String path) {
    for (Pattern p : patterns) {
      if (p.matcher(path).matches()) {
        return true;
      }
    }
    return false;
  }
}
