package io.tfew.api.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Values checked against numpy.percentile / numpy.median (default linear interpolation). */
class AggregationTest {

  @Test
  void quartilesInterpolateLinearlyLikeNumpy() {
    // numpy.percentile([1, 2, 3, 4], [25, 75]) = [1.75, 3.25]: positions 0.75 and 2.25
    assertThat(Aggregation.quartiles(new double[] {1, 2, 3, 4})).containsExactly(new double[] {1.75, 3.25},
        offset(1e-12));
    // numpy.percentile([1, 2, 3, 4, 5, 6], [25, 75]) = [2.25, 4.75]: positions 1.25 and 3.75
    assertThat(Aggregation.quartiles(new double[] {6, 5, 4, 3, 2, 1})).containsExactly(new double[] {2.25, 4.75},
        offset(1e-12));
    // numpy.percentile([0.5, 0.9, 0.7, 0.6], [25, 75]) = [0.575, 0.75]
    assertThat(Aggregation.quartiles(new double[] {0.5, 0.9, 0.7, 0.6})).containsExactly(
        new double[] {0.575, 0.75}, offset(1e-12));
  }

  @Test
  void medianAveragesTheMiddleTwoOfAnEvenCount() {
    assertThat(Aggregation.median(new double[] {4, 1, 3, 2})).isEqualTo(2.5);
    assertThat(Aggregation.median(new double[] {3, 1, 2})).isEqualTo(2.0);
    assertThat(Aggregation.median(new double[] {7})).isEqualTo(7.0);
  }

  @Test
  void summarizeGivesMedianAndQuartilesOfUnsortedInput() {
    // sorted 0, 3, 5, 7, 10: positions 1, 2, 3 exactly
    double[] values = {10, 0, 5, 7, 3};
    Aggregation.Summary s = Aggregation.summarize(values);
    assertThat(s).isEqualTo(new Aggregation.Summary(5, 3, 7));
    assertThat(s.iqr()).isEqualTo(4.0);
    assertThat(values).containsExactly(10, 0, 5, 7, 3);
  }

  @Test
  void meanOfMediansAveragesEachDatasetsMedian() {
    Map<String, double[]> perDataset = new LinkedHashMap<>();
    perDataset.put("rte", new double[] {1, 2, 3, 4});
    perDataset.put("copa", new double[] {10});
    perDataset.put("cb", new double[] {0.2, 0.9, 0.4});
    // (2.5 + 10 + 0.4) / 3
    assertThat(Aggregation.meanOfMedians(perDataset)).isCloseTo(12.9 / 3, offset(1e-12));
  }

  @Test
  void emptyOrNanInputIsRejectedNamingTheDataset() {
    assertThatThrownBy(() -> Aggregation.median(new double[0])).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Aggregation.quartiles(new double[] {1, Double.NaN}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NaN");
    assertThatThrownBy(() -> Aggregation.meanOfMedians(Map.of())).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Aggregation.meanOfMedians(Map.of("wic", new double[0])))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("wic");
  }
}
