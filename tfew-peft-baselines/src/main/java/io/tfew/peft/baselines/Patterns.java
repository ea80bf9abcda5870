package io.tfew.peft.baselines;

import io.tfew.api.config.ConfigSection;
import io.tfew.api.model.ModulePattern;
import java.util.List;

/** Module-path regexes from a config section, each matched against the whole path. */
final class Patterns {
  private Patterns() {}

  static List<ModulePattern> compile(ConfigSection section, String key) {
    List<String> regexes = section.getStrings(key);
    if (regexes.isEmpty()) {
      throw section.invalid(key, "must list at least one regex, or no site would be changed");
    }
    return regexes.stream().map(r -> ModulePattern.compile(r, section.path() + "." + key)).toList();
  }

  static boolean anyMatches(List<ModulePattern> patterns, String path) {
    for (ModulePattern p : patterns) {
      if (p.matches(path)) {
        return true;
      }
    }
    return false;
  }
}
