package io.tfew.experiments.cost;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.tfew.api.TfewException;
import io.tfew.core.data.AtomicText;
import io.tfew.core.data.DatasetFormat;
import io.tfew.core.tokenize.T5Tokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The token counts of T-Few's held-out datasets, measured ({@link #measure}) from their data, their
 * promptsource templates and the T5 tokenizer, and the figures Table 1's accounting takes from them.
 *
 * <p>The in-context baseline's shots per dataset are the few-shot sizes T-Few trains and prompts with,
 * {@code num_shot} in t-few's {@code configs/<dataset>.json} (r-three/t-few): 32 for RTE, CB, COPA, WiC
 * and WSC, 50 for ANLI R1-R3 and WinoGrande (70 for StoryCloze and 20 for HellaSwag, whose data is not
 * here), the counts of GPT-3's few-shot evaluation (Brown et al. 2020).
 *
 * <pre>{@code
 * HeldOutTokens counts = HeldOutTokens.committed();      // what tfew cost uses by default
 * HeldOutTokens fresh = HeldOutTokens.measure(dataDir, tokenizer);
 * }</pre>
 *
 * @param tokenizer the tokenizer file the counts were measured with, as given
 * @param maxSeqLen the truncation length
 * @param datasets each dataset's counts
 */
public record HeldOutTokens(String tokenizer, int maxSeqLen, List<DatasetTokens> datasets) {
  /** The committed measurement, written by {@code tfew cost --measure --write}. */
  static final String RESOURCE = "held-out-tokens.json";

  /** A held-out dataset: where its data and templates are under the data directory, and its shots. */
  public record Source(String name, DatasetFormat format, String data, String templates, int shots) {}

  /** T-Few's held-out datasets with their files under a directory laid out as the repository's {@code data/}. */
  public static final List<Source> SOURCES = List.of(
      new Source("RTE", DatasetFormat.SUPERGLUE_JSONL, "superglue-val/RTE/val.jsonl",
          "promptsource-templates/super_glue/rte/templates.yaml", 32),
      new Source("CB", DatasetFormat.SUPERGLUE_JSONL, "superglue-val/CB/val.jsonl",
          "promptsource-templates/super_glue/cb/templates.yaml", 32),
      new Source("COPA", DatasetFormat.SUPERGLUE_JSONL, "superglue-val/COPA/val.jsonl",
          "promptsource-templates/super_glue/copa/templates.yaml", 32),
      new Source("WiC", DatasetFormat.SUPERGLUE_JSONL, "superglue-val/WiC/val.jsonl",
          "promptsource-templates/super_glue/wic/templates.yaml", 32),
      new Source("WSC", DatasetFormat.SUPERGLUE_JSONL, "superglue-val/WSC/val.jsonl",
          "promptsource-templates/super_glue/wsc.fixed/templates.yaml", 32),
      new Source("ANLI-R1", DatasetFormat.ANLI_CSV, "anli-dev/ANLI_analysis_r1_dev.csv",
          "promptsource-templates/anli/templates.yaml", 50),
      new Source("ANLI-R2", DatasetFormat.ANLI_CSV, "anli-dev/ANLI_analysis_r2_dev.csv",
          "promptsource-templates/anli/templates.yaml", 50),
      new Source("ANLI-R3", DatasetFormat.ANLI_CSV, "anli-dev/ANLI_analysis_r3_dev.csv",
          "promptsource-templates/anli/templates.yaml", 50),
      new Source("WinoGrande", DatasetFormat.WINOGRANDE, "winogrande-dev/winogrande.jsonl",
          "promptsource-templates/winogrande/winogrande_xl/templates.yaml", 50));

  public HeldOutTokens {
    datasets = List.copyOf(datasets);
    if (datasets.isEmpty()) {
      throw new TfewException("held-out token counts: no dataset");
    }
  }

  /** Measures every {@link #SOURCES} dataset under {@code dataDir}. */
  public static HeldOutTokens measure(Path dataDir, Path tokenizerJson, int maxSeqLen) {
    List<DatasetTokens> out = new ArrayList<>();
    try (T5Tokenizer tokenizer = T5Tokenizer.load(tokenizerJson, maxSeqLen)) {
      for (Source s : SOURCES) {
        out.add(DatasetTokens.measure(s.name(), s.format(), dataDir.resolve(s.data()),
            dataDir.resolve(s.templates()), tokenizer, s.shots()));
      }
    }
    return new HeldOutTokens(tokenizerJson.getFileName().toString(), maxSeqLen, out);
  }

  /** The committed measurement (a resource of this package). */
  public static HeldOutTokens committed() {
    try (InputStream in = HeldOutTokens.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new TfewException("the committed token counts (" + RESOURCE + ") are missing from tfew's jar; "
            + "rebuild tfew, or measure them with tfew cost --measure");
      }
      return json().readValue(in, new TypeReference<HeldOutTokens>() {});
    } catch (IOException e) {
      throw new TfewException(RESOURCE + ": unreadable (" + e.getMessage() + "); rebuild tfew", e);
    }
  }

  /** A measurement {@link #write} wrote. */
  public static HeldOutTokens read(Path file) {
    try {
      return json().readValue(file.toFile(), new TypeReference<HeldOutTokens>() {});
    } catch (IOException e) {
      throw new TfewException(file + ": not a token-count file of tfew cost --measure --write (" + e.getMessage()
          + ")", e);
    }
  }

  /** Writes this measurement as JSON, atomically. */
  public void write(Path file) {
    try {
      AtomicText.write(file, json().writeValueAsString(this) + "\n");
    } catch (IOException e) {
      throw new TfewException(file + ": cannot write the token counts (" + e.getMessage() + ")", e);
    }
  }

  /** Mean input + target tokens per example over the datasets, each dataset weighted once, as Table 1 averages. */
  public double tokensPerExample() {
    return datasets.stream().mapToDouble(DatasetTokens::tokensPerExample).average().orElseThrow();
  }

  /** Mean tokens of one in-context prompt over the datasets, each with its own shots. */
  public double iclTokensPerExample() {
    return datasets.stream().mapToDouble(DatasetTokens::iclTokensPerExample).average().orElseThrow();
  }

  /** Mean shots over the datasets. */
  public double shots() {
    return datasets.stream().mapToInt(DatasetTokens::shots).average().orElseThrow();
  }

  private static ObjectMapper json() {
    return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  }
}
