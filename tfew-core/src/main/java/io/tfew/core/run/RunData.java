package io.tfew.core.run;

import io.tfew.api.TfewException;
import io.tfew.core.config.ExperimentConfig;
import io.tfew.core.config.Origin;
import io.tfew.core.config.ResolvedConfig;
import io.tfew.core.data.RankDataReader;
import io.tfew.core.data.RankExample;
import io.tfew.core.score.EncodedExample;
import io.tfew.core.score.ExampleEncoder;
import io.tfew.core.tokenize.T5Tokenizer;
import io.tfew.core.train.ExampleSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

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

  private RunData(ExampleSource train, Map<String, EvalSet> eval, Map<String, Path> files) {
    this.train = train;
    this.eval = eval;
    this.files = files;
  }

  public static RunData load(ExperimentConfig config, T5Tokenizer tokenizer) {
    Map<String, Path> files = new LinkedHashMap<>();
    ResolvedConfig resolved = config.resolved();
    Path trainPath = resolve(resolved, "data.train.path", config.data().train().path());
    files.put("data.train", trainPath);
    ExampleSource train = source(config.data().train().format(), trainPath, tokenizer, resolved.locate("data.train.format"));
    Map<String, EvalSet> eval = new LinkedHashMap<>();
    if (config.data().eval().present()) {
      Path evalPath = resolve(resolved, "data.eval.path", config.data().eval().path());
      files.put("data.eval", evalPath);
      List<RankExample> rows = readRank(config.data().eval().format(), evalPath, resolved.locate("data.eval.format"));
      eval.put("all", new EvalSet(rows, ExampleEncoder.encodeAll(rows, tokenizer)));
    }
    return new RunData(train, eval, files);
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

  private static ExampleSource source(String format, Path file, T5Tokenizer tokenizer, String where) {
    List<EncodedExample> encoded = ExampleEncoder.encodeAll(readRank(format, file, where), tokenizer);
    return new ExampleSource() {
      @Override
      public int size() {
        return encoded.size();
      }

      @Override
      public EncodedExample draw(int index, SplittableRandom random) {
        return encoded.get(index);
      }
    };
  }

  private static List<RankExample> readRank(String format, Path file, String where) {
    if (!format.equals("rank_jsonl")) {
      throw new TfewException(where + ": format '" + format + "' needs prompt templates, which this build "
          + "cannot apply yet; use rank_jsonl rows {input, choices, label}");
    }
    return RankDataReader.read(file);
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
