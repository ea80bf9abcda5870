package io.tfew.cli.endtoend;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the {@code name=value} lines that {@code tfew bench} commands print, for their end-to-end tests. */
final class BenchOutput {
  private BenchOutput() {}

  /** The number after {@code name=} at the start of a line of {@code out}; fails the test when there is none. */
  static double field(String out, String name) {
    Matcher m = Pattern.compile("(?m)^" + name + "=([0-9.]+)").matcher(out);
    assertThat(m.find()).as("%s in:%n%s", name, out).isTrue();
    return Double.parseDouble(m.group(1));
  }
}
