package io.tfew.cli;

import com.google.inject.Inject;
import io.tfew.api.TfewException;
import io.tfew.core.data.JsonlWriter;
import io.tfew.core.data.RankDataReader;
import io.tfew.core.data.RankExample;
import io.tfew.core.files.AtomicFile;
import io.tfew.core.hub.ModelLocator;
import io.tfew.core.plugin.PluginRegistry;
import io.tfew.core.runtime.ActiveMethod;
import io.tfew.core.runtime.LoadedModel;
import io.tfew.core.runtime.TaskAdapters;
import io.tfew.core.score.ChoiceBatch;
import io.tfew.core.score.ChoiceScores;
import io.tfew.core.score.EncodedExample;
import io.tfew.core.score.ExampleEncoder;
import io.tfew.core.score.LengthNorm;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tfew score}: zero-shot (or adapted) rank classification of JSONL rows. */
@Command(name = "score", mixinStandardHelpOptions = true,
    description = "Rank classification: score every answer choice of every row and predict the best.")
public final class ScoreCommand implements Callable<Integer> {
  @Mixin
  ModelOptions modelOptions;

  @Option(names = "--data", required = true, paramLabel = "FILE.jsonl",
      description = "Rows {\"input\": str, \"choices\": [str], \"label\": int (optional)}.")
  Path data;

  @Option(names = "--out", paramLabel = "FILE.jsonl",
      description = "Write the scored rows here (atomically) instead of to stdout.")
  Path out;

  @Option(names = "--batch-size", defaultValue = "8", paramLabel = "N",
      description = "Examples per graph execution (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = "--length-norm", defaultValue = "mean", paramLabel = "mean|sum",
      description = "Choice score: mean token log-prob (T-Few) or sum (the paper's -LN ablation).")
  String lengthNorm;

  @Spec
  CommandSpec spec;

  private final ModelLocator locator;
  private final PluginRegistry registry;

  @Inject
  ScoreCommand(ModelLocator locator, PluginRegistry registry) {
    this.locator = locator;
    this.registry = registry;
  }

  @Override
  public Integer call() {
    modelOptions.validate();
    if (batchSize < 1) {
      throw new TfewException("--batch-size " + batchSize + ": must be at least 1");
    }
    if (batchSize > ChoiceBatch.MAX_EXAMPLES) {
      throw new TfewException("--batch-size " + batchSize + ": must be at most " + ChoiceBatch.MAX_EXAMPLES
          + " (a batch that large would exhaust memory)");
    }
    LengthNorm norm = LengthNorm.parse(lengthNorm, "--length-norm");
    if (out != null) {
      AtomicFile.requireWritable("--out", out, data);
    }
    // Read and check the data before the (slow) model load, so bad rows fail fast.
    List<RankExample> rows = RankDataReader.read(data);
    Optional<TaskAdapters> tasks = modelOptions.taskAdapters(registry);
    int[] slots = new int[rows.size()];
    if (tasks.isPresent()) {
      for (int i = 0; i < rows.size(); i++) {
        slots[i] = tasks.get().slot(rows.get(i).task(), "--data " + data + ": row " + (i + 1));
      }
    }
    List<ActiveMethod> methods = tasks.isPresent() ? List.of(tasks.get().method()) : modelOptions.methods(registry);
    Path dir = modelOptions.resolveModel(locator);
    try (LoadedModel model = LoadedModel.open(dir, methods,
        List.of(LoadedModel.Program.SCORE), modelOptions.maxSeqLen, 0L, loaded -> { })) {
      List<EncodedExample> encoded = new ArrayList<>(rows.size());
      for (int i = 0; i < rows.size(); i++) {
        encoded.add(ExampleEncoder.encode(rows.get(i), model.tokenizer(), slots[i]));
      }
      List<ChoiceScores> scores;
      if (rows.size() > batchSize) {
        try (ProgressBar bar = Progress.bar("score", rows.size(), "ex")) {
          scores = model.scorer().score(encoded, batchSize, bar::stepTo);
        }
      } else {
        scores = model.scorer().score(encoded, batchSize, n -> { });
      }
      report(rows, scores, norm);
    }
    return 0;
  }

  private void report(List<RankExample> rows, List<ChoiceScores> scores, LengthNorm norm) {
    PrintWriter stdout = spec.commandLine().getOut();
    int labelled = 0;
    int correct = 0;
    JsonlWriter writer = out == null ? null : JsonlWriter.open(out);
    try {
      for (int i = 0; i < rows.size(); i++) {
        RankExample r = rows.get(i);
        ChoiceScores s = scores.get(i);
        int prediction = s.prediction(norm);
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("input", r.input());
        row.put("choices", r.choices());
        r.label().ifPresent(l -> row.put("label", l));
        r.task().ifPresent(t -> row.put("task", t));
        row.put("scores", s.scores(norm));
        row.put("prediction", prediction);
        if (writer != null) {
          writer.write(row);
        } else {
          stdout.println(JsonlWriter.toJson(row));
        }
        if (r.label().isPresent()) {
          labelled++;
          correct += r.label().getAsInt() == prediction ? 1 : 0;
        }
      }
      if (writer != null) {
        writer.commit();
      }
    } finally {
      if (writer != null) {
        writer.close();
      }
    }
    if (labelled > 0) {
      stdout.println(String.format(Locale.ROOT, "accuracy=%.4f", (double) correct / labelled));
    }
    stdout.flush();
  }
}
