package io.tfew.core.run;

import io.tfew.api.TfewException;
import io.tfew.core.config.ExperimentConfig;
import io.tfew.core.config.Origin;
import io.tfew.core.config.ResolvedConfig;
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
import java.nio.file.Files;
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

  public static RunData load(ExperimentConfig config, T5Tokenizer tokenizer) {
    Map<String, Path> files = new LinkedHashMap<>();
    Map<String, Integer> skipped = new LinkedHashMap<>();
    ResolvedConfig resolved = config.resolved();
    Path trainPath = resolve(resolved, "data.train.path", config.data().train().path());
    files.put("data.train", trainPath);
    String trainFormat = config.data().train().format();
    boolean templated = !trainFormat.equals("rank_jsonl")
        || (config.data().eval().present() && !config.data().eval().format().equals("rank_jsonl"));
    List<PromptTemplate> templates = List.of();
    if (templated) {
      if (config.data().templates().file().isEmpty()) {
        throw new TfewException(resolved.locate("data.templates.file") + ": raw dataset formats need prompt "
            + "templates; set data.templates.file to a promptsource templates.yaml");
      }
      Path templateFile = resolve(resolved, "data.templates.file", config.data().templates().file());
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
    if (config.data().eval().present()) {
      Path evalPath = resolve(resolved, "data.eval.path", config.data().eval().path());
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

  /**
   * The model reference as the locator should see it: a relative directory next to the config file
   * that named it wins over one in the working directory or a repo id of the same spelling.
   */
  public static String modelReference(ResolvedConfig config, String value) {
    Path p = Path.of(value);
    Origin origin = config.origin("model");
    if (!p.isAbsolute() && origin.kind() == Origin.Kind.FILE && origin.file() != null) {
      Path parent = Path.of(origin.file()).toAbsolutePath().getParent();
      if (parent != null && Files.isDirectory(parent.resolve(p))) {
        return parent.resolve(p).normalize().toString();
      }
    }
    return value;
  }

  /** A relative path is relative to the file that set it, so configs can live beside their data. */
  static Path resolve(ResolvedConfig config, String key, String value) {
    Path p = Path.of(value);
    if (!p.isAbsolute()) {
      Origin origin = config.origin(key);
      if (origin.kind() == Origin.Kind.FILE && origin.file() != null) {
        Path parent = Path.of(origin.file()).toAbsolutePath().getParent();
        p = parent == null ? p : parent.resolve(p);
      }
    }
    p = p.toAbsolutePath().normalize();
    if (!Files.isRegularFile(p)) {
      throw new TfewException(config.locate(key) + ": no such file " + p);
    }
    return p;
  }
}
