package io.tfew.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tfew.api.TfewException;
import io.tfew.core.testing.SharedFixtures;
import org.junit.jupiter.api.Test;

class DatasetFormatTest {
  @Test
  void formatsAreFoundByConfigName() {
    assertThat(DatasetFormat.byName("superglue-jsonl")).isEqualTo(DatasetFormat.SUPERGLUE_JSONL);
    assertThat(DatasetFormat.byName(" RAFT-CSV ")).isEqualTo(DatasetFormat.RAFT_CSV);
    assertThat(DatasetFormat.byName("winogrande").reader()).isInstanceOf(WinograndeReader.class);
  }

  @Test
  void eachFormatReadsItsSharedFile() {
    assertThat(DatasetFormat.SUPERGLUE_JSONL.reader()
        .read(SharedFixtures.path("data/superglue-val/CB/val.jsonl"))).hasSize(56);
    assertThat(DatasetFormat.FEWSHOT_JSONL.reader()
        .read(SharedFixtures.path("data/tfew-few-shot/cb/32_shot/0_seed.jsonl"))).hasSize(32);
    assertThat(DatasetFormat.ANLI_CSV.reader()
        .read(SharedFixtures.path("data/anli-dev/ANLI_analysis_r2_dev.csv"))).hasSize(1000);
    assertThat(DatasetFormat.RAFT_CSV.reader()
        .read(SharedFixtures.path("data/raft/overruling/train.csv"))).hasSize(50);
  }

  @Test
  void anUnknownNameListsTheKnownOnes() {
    assertThatThrownBy(() -> DatasetFormat.byName("parquet"))
        .isInstanceOf(TfewException.class)
        .hasMessage("unknown dataset format \"parquet\"; known formats: superglue-jsonl,"
            + " fewshot-jsonl, anli-csv, winogrande, raft-csv");
  }
}
