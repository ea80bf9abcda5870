package io.tfew.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tfew.api.TfewException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class CsvTableTest {
  private static final Path F = Path.of("t.csv");

  @Test
  void parsesQuotedFieldsWithCommasQuotesAndLineBreaks() {
    CsvTable t = CsvTable.parse(F,
        "\uFEFFa,b,c\r\n\"x, y\",\"say \"\"hi\"\"\",\"two\r\nlines\"\r\nplain,,last");
    assertThat(t.header()).containsExactly("a", "b", "c");
    assertThat(t.records()).extracting(CsvTable.Record::fields).containsExactly(
        List.of("x, y", "say \"hi\"", "two\r\nlines"), List.of("plain", "", "last"));
    assertThat(t.records()).extracting(CsvTable.Record::line).containsExactly(2, 4);
  }

  @Test
  void acceptsLfAndCrAndATrailingBreakAndBlankLines() {
    CsvTable t = CsvTable.parse(F, "a,b\n1,2\r3,4\n\n\"\",5\n");
    assertThat(t.records()).extracting(CsvTable.Record::fields)
        .containsExactly(List.of("1", "2"), List.of("3", "4"), List.of("", "5"));
  }

  @Test
  void wrongFieldCountNamesTheLine() {
    assertThatThrownBy(() -> CsvTable.parse(F, "a,b\n1,2\n\"multi\nline\",2,3\n"))
        .isInstanceOf(TfewException.class)
        .hasMessageStartingWith("t.csv:3: record has 3 fields but the header has 2 [a, b]");
  }

  @Test
  void unterminatedQuoteNamesWhereTheFieldStarts() {
    assertThatThrownBy(() -> CsvTable.parse(F, "a\n\"open\n\nnever closed\n"))
        .isInstanceOf(TfewException.class)
        .hasMessageStartingWith("t.csv:2: quoted field never closes");
  }

  @Test
  void strayQuotesAreErrors() {
    assertThatThrownBy(() -> CsvTable.parse(F, "a,b\nx\"y,2\n"))
        .hasMessageStartingWith("t.csv:2: a quote inside an unquoted field");
    assertThatThrownBy(() -> CsvTable.parse(F, "a,b\n\"x\"y,2\n"))
        .hasMessageStartingWith("t.csv:2: unexpected character after a closing quote");
  }

  @Test
  void duplicateAndMissingColumnsAreErrors() {
    assertThatThrownBy(() -> CsvTable.parse(F, "a,a\n1,2\n"))
        .hasMessage("t.csv:1: column \"a\" appears twice in the header; rename one");
    assertThatThrownBy(() -> CsvTable.parse(F, "a,b\n").column("c"))
        .hasMessageStartingWith("t.csv:1: column \"c\" is missing from the header [a, b]");
  }

  @Test
  void anInvalidUtf8ByteIsReportedOnItsLine(@org.junit.jupiter.api.io.TempDir Path dir) throws java.io.IOException {
    Path file = java.nio.file.Files.write(dir.resolve("t.csv"),
        new byte[] {'a', ',', 'b', '\n', '1', ',', '2', '\n', '3', ',', (byte) 0xFF, '\n'});
    assertThatThrownBy(() -> CsvTable.read(file)).isInstanceOf(TfewException.class)
        .hasMessage(file + ":3: not valid UTF-8 (at byte 3 of the line); save the file as UTF-8");
  }
}
