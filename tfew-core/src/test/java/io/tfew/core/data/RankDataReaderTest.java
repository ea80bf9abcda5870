package io.tfew.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tfew.api.TfewException;
import io.tfew.core.testing.SharedFixtures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RankDataReaderTest {
  private static final String GOOD = "{\"input\": \"q\", \"choices\": [\"a\", \"b\"]";

  @TempDir Path dir;

  private Path file(String... lines) throws IOException {
    Path f = dir.resolve("data.jsonl");
    Files.writeString(f, String.join("\n", lines), StandardCharsets.UTF_8);
    return f;
  }

  private AbstractThrowableAssert<?, ? extends Throwable> assertError(Path f, int line) {
    return assertThatThrownBy(() -> RankDataReader.read(f))
        .isInstanceOf(TfewException.class)
        .hasMessageStartingWith(f + ":" + line + ": ");
  }

  @Test
  void readsGoodFileSkippingBlankLines() throws IOException {
    Path f =
        file(
            "{\"input\": \"Is it?\", \"choices\": [\"yes\", \"no\"], \"label\": 1, \"task\": \"boolq\"}",
            "",
            "   ",
            "{\"choices\": [\"x\"], \"input\": \"ünïcödé ✓\"}",
            "{\"input\": \"q\", \"choices\": [\"a\", \"b\", \"c\"], \"label\": null, \"task\": null}",
            "");
    List<RankExample> rows = RankDataReader.read(f);
    assertThat(rows)
        .containsExactly(
            new RankExample("Is it?", List.of("yes", "no"), OptionalInt.of(1), Optional.of("boolq")),
            new RankExample("ünïcödé ✓", List.of("x"), OptionalInt.empty(), Optional.empty()),
            new RankExample("q", List.of("a", "b", "c"), OptionalInt.empty(), Optional.empty()));
  }

  @Test
  void byteOrderMarkIsIgnored() throws IOException {
    assertThat(RankDataReader.read(file("\uFEFF" + GOOD + "}"))).hasSize(1);
  }

  @Test
  void readsParityFixture() {
    List<RankExample> rows =
        RankDataReader.read(SharedFixtures.path("fixtures/t5-parity/t0-tiny/rank_inputs.jsonl"));
    assertThat(rows).hasSize(3);
    assertThat(rows).extracting(r -> r.label().getAsInt()).containsExactly(0, 2, 1);
    assertThat(rows.get(0).choices()).hasSize(3);
    assertThat(rows.get(1).input()).startsWith("w42 w98");
  }

  @Test
  void missingFile() {
    Path f = dir.resolve("absent.jsonl");
    assertThatThrownBy(() -> RankDataReader.read(f))
        .isInstanceOf(TfewException.class)
        .hasMessageContaining(f.toString())
        .hasMessageContaining("does not exist");
  }

  @Test
  void emptyFile() throws IOException {
    Path f = file("", "  ", "");
    assertThatThrownBy(() -> RankDataReader.read(f))
        .isInstanceOf(TfewException.class)
        .hasMessageContaining(f.toString())
        .hasMessageContaining("no examples");
  }

  @Test
  void invalidJsonNamesLine() throws IOException {
    assertError(file(GOOD + "}", "", "{\"input\": \"q\", "), 3).hasMessageContaining("invalid JSON");
  }

  @Test
  void trailingGarbageIsInvalidJson() throws IOException {
    assertError(file(GOOD + "} {}"), 1).hasMessageContaining("invalid JSON");
  }

  @Test
  void nonObjectRow() throws IOException {
    assertError(file("[1, 2]"), 1).hasMessageContaining("JSON object");
  }

  @Test
  void invalidUtf8() throws IOException {
    Path f = dir.resolve("bad.jsonl");
    Files.write(f, new byte[] {'{', '"', (byte) 0xC3, (byte) 0x28, '"', '}', '\n'});
    assertThatThrownBy(() -> RankDataReader.read(f))
        .isInstanceOf(TfewException.class)
        .hasMessageContaining(f.toString())
        .hasMessageContaining("UTF-8");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "{\"choices\": [\"a\"]}                          | \"input\" is missing",
        "{\"input\": null, \"choices\": [\"a\"]}         | \"input\" is missing",
        "{\"input\": \"\", \"choices\": [\"a\"]}         | \"input\" is empty",
        "{\"input\": \"  \", \"choices\": [\"a\"]}       | \"input\" is empty",
        "{\"input\": 5, \"choices\": [\"a\"]}            | \"input\" must be a string",
        "{\"input\": \"q\"}                              | \"choices\" is missing",
        "{\"input\": \"q\", \"choices\": \"a\"}          | \"choices\" must be a list of strings",
        "{\"input\": \"q\", \"choices\": [\"a\", 3]}     | element 1 is number",
        "{\"input\": \"q\", \"choices\": []}             | \"choices\" is empty",
        "{\"input\": \"q\", \"choices\": [\"a\"], \"label\": \"0\"} | \"label\" must be an integer",
        "{\"input\": \"q\", \"choices\": [\"a\"], \"label\": 0.5}   | \"label\" must be an integer",
        "{\"input\": \"q\", \"choices\": [\"a\"], \"label\": 1e12}  | \"label\" must be an integer",
        "{\"input\": \"q\", \"choices\": [\"a\", \"b\"], \"label\": 2}  | \"label\" is 2 but there are 2 choices",
        "{\"input\": \"q\", \"choices\": [\"a\", \"b\"], \"label\": -1} | \"label\" is -1",
        "{\"input\": \"q\", \"choices\": [\"a\"], \"task\": 7}      | \"task\" must be a string",
      })
  void fieldErrorsNameLineFieldAndFix(String row, String expected) throws IOException {
    Path f = file(GOOD + "}", "", row);
    assertError(f, 3).hasMessageContaining(expected.trim());
  }

  @Test
  void labelErrorSaysValidRange() throws IOException {
    assertError(file(GOOD + ", \"label\": 5}"), 1).hasMessageContaining("0 to 1");
  }

  @Test
  void unknownFieldListsAllowedOnes() throws IOException {
    assertError(file(GOOD + ", \"lable\": 0}"), 1)
        .hasMessageContaining("unknown field \"lable\"")
        .hasMessageContaining("\"input\", \"choices\", \"label\", \"task\"");
  }

  @Test
  void recordRejectsInconsistentValues() {
    assertThatThrownBy(
            () -> new RankExample("q", List.of(), OptionalInt.empty(), Optional.empty()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> new RankExample("q", List.of("a"), OptionalInt.of(1), Optional.empty()))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
