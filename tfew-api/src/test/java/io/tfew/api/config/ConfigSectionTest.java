package io.tfew.api.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigSectionTest {
  private static final String PATH = "experiment.yaml: peft";

  private static final List<ConfigField> FIELDS = List.of(
      ConfigField.ofInt("r", 4, "rank r of the update B A"),
      ConfigField.ofDouble("alpha", 8.0, "scaling numerator"),
      ConfigField.ofBoolean("merge", false, "merge into the base weights"),
      ConfigField.ofString("init", "kaiming", "initialiser of A"),
      ConfigField.ofStrings("target_modules", List.of(".*\\.(q|v)$"), "regexes over HF module paths"));

  @Test
  void absentKeysTakeTheirDefaults() {
    ConfigSection c = ConfigSection.validate(PATH, FIELDS, Map.of("r", 16));

    assertThat(c.path()).isEqualTo(PATH);
    assertThat(c.getInt("r")).isEqualTo(16);
    assertThat(c.getDouble("alpha")).isEqualTo(8.0);
    assertThat(c.getBoolean("merge")).isFalse();
    assertThat(c.getString("init")).isEqualTo("kaiming");
    assertThat(c.getStrings("target_modules")).containsExactly(".*\\.(q|v)$");
    assertThat(c.asMap()).containsOnlyKeys("r", "alpha", "merge", "init", "target_modules");
  }

  @Test
  void defaultsIsAnEmptySection() {
    ConfigSection c = ConfigSection.defaults(PATH, FIELDS);

    assertThat(c.getInt("r")).isEqualTo(4);
    assertThat(c.asMap().keySet()).containsExactly("r", "alpha", "merge", "init", "target_modules");
  }

  @Test
  void aNullSectionIsTreatedAsEmpty() {
    assertThat(ConfigSection.validate(PATH, FIELDS, null).getDouble("alpha")).isEqualTo(8.0);
  }

  @Test
  void unknownKeyListsTheAllowedKeysSorted() {
    assertThatThrownBy(() -> ConfigSection.validate(PATH, FIELDS, Map.of("rank", 4)))
        .isInstanceOf(ConfigException.class)
        .hasMessage(PATH + ".rank: unknown key; allowed keys are alpha, init, merge, r, target_modules");
  }

  @Test
  void unknownKeyInASectionWithoutKeysSaysSo() {
    assertThatThrownBy(() -> ConfigSection.validate(PATH, List.of(), Map.of("x", 1)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(PATH + ".x")
        .hasMessageContaining("takes no keys");
  }

  @Test
  void missingRequiredKeyIsNamedWithItsTypeAndDoc() {
    List<ConfigField> fields = List.of(ConfigField.ofInt("num_tasks", null, "number of task slots"));

    assertThat(fields.get(0).required()).isTrue();
    assertThatThrownBy(() -> ConfigSection.validate(PATH, fields, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessage(PATH + ".num_tasks: required key is missing (number of task slots; an integer)");
  }

  @Test
  void intRejectsAFraction() {
    assertThatThrownBy(() -> ConfigSection.validate(PATH, FIELDS, Map.of("r", 4.5)))
        .isInstanceOf(ConfigException.class)
        .hasMessage(PATH + ".r: expected an integer but found '4.5'");
  }

  @Test
  void intAcceptsALongInRangeAndRejectsOneOutOfRange() {
    assertThat(ConfigSection.validate(PATH, FIELDS, Map.of("r", 7L)).getInt("r")).isEqualTo(7);
    assertThatThrownBy(() -> ConfigSection.validate(PATH, FIELDS, Map.of("r", 1L << 40)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(PATH + ".r");
  }

  @Test
  void integersThatDoNotFitAreRangeErrorsNeverNarrowed() {
    for (Object big : List.of(4294967300L, 2147483648L, -2147483649L, new java.math.BigInteger("18446744073709551616"))) {
      assertThatThrownBy(() -> ConfigSection.validate(PATH, FIELDS, Map.of("r", big)))
          .isInstanceOf(ConfigException.class)
          .hasMessage(PATH + ".r: " + big + " is out of range; an integer here is between -2147483648 and 2147483647");
    }
  }

  @Test
  void nonFiniteNumbersAreErrors() {
    for (Object v : List.of(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
        new java.math.BigDecimal("1e999"))) {
      assertThatThrownBy(() -> ConfigSection.validate(PATH, FIELDS, Map.of("alpha", v)))
          .isInstanceOf(ConfigException.class)
          .hasMessage(PATH + ".alpha: " + v + " is not a finite number");
    }
  }

  @Test
  void valuesOfTheWrongTypeAreErrors() {
    assertThatThrownBy(() -> ConfigSection.validate(PATH, FIELDS, Map.of("alpha", "16")))
        .isInstanceOf(ConfigException.class).hasMessage(PATH + ".alpha: expected a number but found '16'");
    assertThatThrownBy(() -> ConfigSection.validate(PATH, FIELDS, Map.of("r", "4")))
        .isInstanceOf(ConfigException.class).hasMessage(PATH + ".r: expected an integer but found '4'");
    assertThatThrownBy(() -> ConfigSection.validate(PATH, FIELDS, Map.of("merge", "true")))
        .isInstanceOf(ConfigException.class).hasMessage(PATH + ".merge: expected true or false but found 'true'");
  }

  @Test
  void doubleAcceptsAnInteger() {
    ConfigSection c = ConfigSection.validate(PATH, FIELDS, Map.of("alpha", 16));

    assertThat(c.getDouble("alpha")).isEqualTo(16.0);
    assertThat(c.asMap().get("alpha")).isInstanceOf(Double.class);
  }

  @Test
  void stringListAcceptsASingleString() {
    ConfigSection c = ConfigSection.validate(PATH, FIELDS, Map.of("target_modules", ".*\\.k$"));

    assertThat(c.getStrings("target_modules")).containsExactly(".*\\.k$");
  }

  @Test
  void stringListRejectsANonStringElement() {
    assertThatThrownBy(() -> ConfigSection.validate(PATH, FIELDS, Map.of("target_modules", List.of("q", 3))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(PATH + ".target_modules: expected a list of strings");
  }

  @Test
  void booleanRejectsAString() {
    assertThatThrownBy(() -> ConfigSection.validate(PATH, FIELDS, Map.of("merge", "yes")))
        .isInstanceOf(ConfigException.class)
        .hasMessage(PATH + ".merge: expected true or false but found 'yes'");
  }

  @Test
  void anExplicitNullFallsBackToTheDefault() {
    Map<String, Object> raw = new LinkedHashMap<>();
    raw.put("r", null);

    assertThat(ConfigSection.validate(PATH, FIELDS, raw).getInt("r")).isEqualTo(4);
  }

  @Test
  void invalidNamesThePathKeyAndValue() {
    ConfigSection c = ConfigSection.validate(PATH, FIELDS, Map.of("r", 0));

    ConfigException e = c.invalid("r", "must be >= 1");

    assertThat(e).hasMessage(PATH + ".r = 0: must be >= 1");
  }

  @Test
  void aDefaultOfTheWrongTypeIsRejectedWhenDeclared() {
    assertThatThrownBy(() -> new ConfigField("r", ConfigType.INT, 2.5, "rank"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("default of 'r'");
  }

  @Test
  void readingAnUndeclaredKeyIsAProgrammingError() {
    ConfigSection c = ConfigSection.defaults(PATH, FIELDS);

    assertThatThrownBy(() -> c.getInt("rank"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'rank'");
  }
}
