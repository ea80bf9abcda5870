package io.tfew.experiments.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Medians and IQRs of the synthetic runs, against values worked out by hand (numpy's linear percentiles). */
class ResultsTableTest {
  @TempDir
  Path root;

  private ResultsTable table;

  @BeforeEach
  void build() throws IOException {
    SyntheticRuns.standardSet(root);
    table = ResultsTable.of(new RunScan("accuracy", "name").scan(root));
  }

  private ResultsTable.Row row(String method) {
    return table.rows().stream().filter(r -> r.method().equals(method)).findFirst().orElseThrow();
  }

  @Test
  void rowsAreMethodsByTrainableParametersAndColumnsAreDatasetsByName() {
    assertThat(table.rows()).extracting(ResultsTable.Row::method).containsExactly("zero-shot", "ia3", "lora");
    assertThat(table.datasets()).containsExactly("cb", "rte");
  }

  @Test
  void aCellPoolsEveryTemplateOfEverySeed() {
    // ia3 on rte: seed 0 {0.7, 0.8, 0.6} and seed 1 {0.9, 0.5} pool to {0.5, 0.6, 0.7, 0.8, 0.9}:
    // positions 1, 2 and 3 of 0..4 give Q1 0.6, median 0.7, Q3 0.8.
    ResultsTable.Cell rte = row("ia3").cells().get("rte");
    assertThat(rte.summary().median()).isCloseTo(0.7, within(1e-12));
    assertThat(rte.summary().q1()).isCloseTo(0.6, within(1e-12));
    assertThat(rte.summary().q3()).isCloseTo(0.8, within(1e-12));
    assertThat(rte.runs()).isEqualTo(2);
    assertThat(rte.values()).isEqualTo(5);
  }

  @Test
  void quartilesInterpolateLinearlyAsNumpyDoes() {
    // ia3 on cb: {0.1, 0.2, 0.3, 0.4}; Q1 at position 0.75 = 0.175, median 0.25, Q3 at 2.25 = 0.325.
    ResultsTable.Cell cb = row("ia3").cells().get("cb");
    assertThat(cb.summary().median()).isCloseTo(0.25, within(1e-12));
    assertThat(cb.summary().q1()).isCloseTo(0.175, within(1e-12));
    assertThat(cb.summary().q3()).isCloseTo(0.325, within(1e-12));
    assertThat(cb.summary().iqr()).isCloseTo(0.15, within(1e-12));
  }

  @Test
  void theHeadlineIsTheMeanOfTheRowsMedians() {
    assertThat(row("ia3").meanOfMedians()).isCloseTo((0.7 + 0.25) / 2, within(1e-12));
    assertThat(row("lora").meanOfMedians()).isCloseTo(0.6, within(1e-12));
    assertThat(row("lora").covers(table.datasets())).isFalse();
    assertThat(row("zero-shot").meanOfMedians()).isCloseTo(0.45, within(1e-12));
  }

  @Test
  void unfinishedRunsAndRunsWithoutTheMetricAreNotCounted() {
    // cb/lora is unfinished and cb/ia3/seed1 has no accuracy: lora has no cb cell, ia3's cb cell one run.
    assertThat(row("lora").cells()).containsOnlyKeys("rte");
    assertThat(row("ia3").cells().get("cb").runs()).isEqualTo(1);
  }

  @Test
  void trainableParametersAndTheirShareOfTheModel() {
    assertThat(row("ia3").trainable()).containsExactly(640L);
    assertThat(row("ia3").percent()).hasValue(100.0 * 640 / SyntheticRuns.BASE);
    assertThat(row("zero-shot").trainable()).containsExactly(0L);
    assertThat(row("zero-shot").percent()).hasValue(0.0);
  }

  @Test
  void runsOnDifferentBaseModelsMakeDifferentRows() throws IOException {
    Path other = SyntheticRuns.finished(root.resolve("big/rte"), "rte", List.of("ia3"), 0, 640, 0.9);
    Files.writeString(other.resolve("provenance.json"),
        Files.readString(other.resolve("provenance.json")).replace("models/tiny", "models/big"));
    ResultsTable two = ResultsTable.of(new RunScan("accuracy", "name").scan(root));
    assertThat(two.rows()).extracting(ResultsTable.Row::method).contains("ia3 @ models/tiny", "ia3 @ models/big");
  }
}
