package io.tfew.experiments.run;

import io.tfew.api.TfewException;
import io.tfew.core.data.DatasetFormat;
import io.tfew.core.data.RankDataReader;
import io.tfew.core.data.RankExample;
import io.tfew.core.prompt.PromptRenderer;
import io.tfew.core.prompt.PromptTemplate;
import io.tfew.core.prompt.TemplateCollection;
import io.tfew.core.score.EncodedExample;
import io.tfew.core.score.ExampleEncoder;
import io.tfew.core.tokenize.T5Tokenizer;
import io.tfew.core.train.ExampleSource;
import io.tfew.experiments.config.ExperimentConfig;
import io.tfew.experiments.config.ResolvedConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A run's training and evaluation data, tokenized. Evaluation sets are keyed by name (one per prompt
 * template when templates are in use), since T-Few reports each template separately.
 */
public final class RunData {
  /** One evaluation set: the rows as read and as encoded. */
  public record EvalSet(List<RankExample> rows, List<EncodedExample> encoded) {}

  private final ExampleSource train;
  private final Map<String, EvalSet> eval;
  private final Map<String, Path> files;
  private final Map<String, Integer> skipped;

  private RunData(ExampleSource train, Map<String, EvalSet> eval, Map<String, Path> files,
      Map<String, Integer> skipped) {
    this.train = train;
    this.eval = eval;
    this.files = files;
    this.skipped = skipped;
  }

  /** Reads and encodes the data of {@code config} from the files {@code paths} resolved for it. */
  public static RunData load(ExperimentConfig config, RunPaths paths, T5Tokenizer tokenizer) {
    Map<String, Path> files = new LinkedHashMap<>();
    Map<String, Integer> skipped = new LinkedHashMap<>();
    ResolvedConfig resolved = config.resolved();
    Path trainPath = paths.trainData();
    files.put("data.train", trainPath);
    String trainFormat = config.data().train().format();
    boolean templated = !trainFormat.equals("rank_jsonl")
        || (config.data().eval().present() && !config.data().eval().format().equals("rank_jsonl"));
    List<PromptTemplate> templates = List.of();
    if (templated) {
      if (paths.templates().isEmpty()) {
        throw new TfewException(resolved.locate("data.templates.file") + ": raw dataset formats need prompt "
            + "templates; set data.templates.file to a promptsource templates.yaml");
      }
      Path templateFile = paths.templates().get();
      files.put("data.templates", templateFile);
      templates = TemplateCollection.load(templateFile)
          .select(config.data().templates().names(), config.data().templates().originalTaskOnly());
      if (templates.isEmpty()) {
        throw new TfewException(resolved.locate("data.templates") + ": no template selected from " + templateFile
            + "; check data.templates.names and original_task_only");
      }
    }
    ExampleSource train;
    if (trainFormat.equals("rank_jsonl")) {
      train = ExampleSource.of(ExampleEncoder.encodeAll(RankDataReader.read(trainPath), tokenizer));
    } else {
      TemplatedRows rows = TemplatedRows.render(rawRows(trainFormat, trainPath), templates, tokenizer);
      skipped.put("train", rows.skippedRows());
      train = rows;
    }
    Map<String, EvalSet> eval = new LinkedHashMap<>();
    if (paths.evalData().isPresent()) {
      Path evalPath = paths.evalData().get();
      files.put("data.eval", evalPath);
      String evalFormat = config.data().eval().format();
      if (evalFormat.equals("rank_jsonl")) {
        List<RankExample> rows = RankDataReader.read(evalPath);
        eval.put("all", new EvalSet(rows, ExampleEncoder.encodeAll(rows, tokenizer)));
      } else {
        List<Map<String, Object>> raw = rawRows(evalFormat, evalPath);
        PromptRenderer renderer = new PromptRenderer();
        for (PromptTemplate t : templates) {
          List<RankExample> rows = TemplatedRows.renderAll(renderer, t, raw);
          skipped.put("eval/" + t.name(), raw.size() - rows.size());
          if (!rows.isEmpty()) {
            eval.put(t.name(), new EvalSet(rows, ExampleEncoder.encodeAll(rows, tokenizer)));
          }
        }
      }
    }
    return new RunData(train, eval, files, skipped);
  }

  /** Rows that no selected template rendered (or whose target is not an answer choice), by set. */
  public Map<String, Integer> skipped() {
    return skipped;
  }

  private static List<Map<String, Object>> rawRows(String format, Path file) {
    return DatasetFormat.byName(format).reader().read(file);
  }

  public ExampleSource train() {
    return train;
  }

  public Map<String, EvalSet> eval() {
    return eval;
  }

  /** The data files read, by role, for the provenance record. */
  public Map<String, Path> files() {
    return files;
  }
}
