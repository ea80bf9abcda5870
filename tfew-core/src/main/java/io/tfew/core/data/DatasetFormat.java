package io.tfew.core.data;

import io.tfew.api.TfewException;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The dataset file formats tfew reads, by the name a YAML config uses ({@code data.format:
 * superglue-jsonl}).
 *
 * <pre>{@code
 * List<Map<String, Object>> rows = DatasetFormat.byName("superglue-jsonl").reader().read(Path.of("val.jsonl"));
 * }</pre>
 */
public enum DatasetFormat {
  /** Official SuperGLUE {@code val.jsonl} (RTE, CB, COPA, WiC, WSC); see {@link SuperGlueJsonlReader}. */
  SUPERGLUE_JSONL("superglue-jsonl", SuperGlueJsonlReader::new),
  /** T-Few's few-shot subsets (HF fields, integer labels); see {@link FewShotJsonlReader}. */
  FEWSHOT_JSONL("fewshot-jsonl", FewShotJsonlReader::new),
  /** ANLI "ANLIzing ANLI" dev CSVs; see {@link AnliCsvReader}. */
  ANLI_CSV("anli-csv", AnliCsvReader::new),
  /** WinoGrande in MosaicML's converted jsonl; see {@link WinograndeReader}. */
  WINOGRANDE("winogrande", WinograndeReader::new),
  /** RAFT {@code train.csv}/{@code test_unlabeled.csv} beside {@code task.json}; see {@link RaftCsvReader}. */
  RAFT_CSV("raft-csv", RaftCsvReader::new);

  private final String configName;
  private final Supplier<DatasetReader> factory;

  DatasetFormat(String configName, Supplier<DatasetReader> factory) {
    this.configName = configName;
    this.factory = factory;
  }

  /** The name used in configs, e.g. {@code superglue-jsonl}. */
  public String configName() {
    return configName;
  }

  /** A reader for this format. */
  public DatasetReader reader() {
    return factory.get();
  }

  /**
   * The format named {@code name} (case-insensitive).
   *
   * @throws TfewException listing the known names when {@code name} is not one
   */
  public static DatasetFormat byName(String name) {
    String wanted = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
    for (DatasetFormat f : values()) {
      if (f.configName.equals(wanted)) {
        return f;
      }
    }
    throw new TfewException(
        "unknown dataset format \"" + name + "\"; known formats: "
            + Arrays.stream(values()).map(DatasetFormat::configName)
                .collect(Collectors.joining(", ")));
  }
}
