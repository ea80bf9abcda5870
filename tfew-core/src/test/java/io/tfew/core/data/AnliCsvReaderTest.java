package io.tfew.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tfew.api.TfewException;
import io.tfew.core.testing.SharedFixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AnliCsvReaderTest {
  @TempDir Path tmp;

  @ParameterizedTest(name = "{0}: {1} rows, e/n/c = {2}/{3}/{4}")
  @CsvSource({"r1, 1000, 334, 333, 333", "r2, 1000, 334, 333, 333", "r3, 1198, 402, 400, 396"})
  void readsEachRoundWithTheLabelCountsOfSourceTxt(String round, int rows, long e, long n, long c) {
    List<Map<String, Object>> data = new AnliCsvReader()
        .read(SharedFixtures.path("data/anli-dev/ANLI_analysis_" + round + "_dev.csv"));
    assertThat(data).hasSize(rows);
    assertThat(data.stream().collect(Collectors.groupingBy(r -> r.get("label"), Collectors.counting())))
        .isEqualTo(Map.of(0, e, 1, n, 2, c));
  }

  @Test
  void mapsColumnsToHfAnliFields() {
    Map<String, Object> first = new AnliCsvReader()
        .read(SharedFixtures.path("data/anli-dev/ANLI_analysis_r1_dev.csv")).get(0);
    assertThat(first).containsOnlyKeys("uid", "premise", "hypothesis", "label", "reason")
        .containsEntry("uid", "bf628cf5-6948-4595-a6d0-daf99beb47b9")
        .containsEntry("hypothesis",
            "Form and meaning are the only aspects of language linguistics is concerned with.")
        .containsEntry("label", 2);
    assertThat((String) first.get("premise")).startsWith("Linguistics is the scientific study");
  }

  @Test
  void anUnknownGoldLabelNamesTheRecordsLine() throws IOException {
    Path file = tmp.resolve("dev.csv");
    Files.writeString(file, "context,statement,gold_label,uid,reason\n"
        + "\"two\nlines\",s,e,u1,\n" + "c,s,x,u2,\n");
    assertThatThrownBy(() -> new AnliCsvReader().read(file))
        .isInstanceOf(TfewException.class)
        .hasMessage(file + ":4: field \"gold_label\" is \"x\"; use e (entailment), n (neutral) or"
            + " c (contradiction)");
  }
}
