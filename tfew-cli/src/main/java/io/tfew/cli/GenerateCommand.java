package io.tfew.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.inject.Inject;
import io.tfew.api.TfewException;
import io.tfew.core.data.JsonlObjects;
import io.tfew.core.data.JsonlWriter;
import io.tfew.core.files.AtomicFile;
import io.tfew.core.generate.GreedyDecoder;
import io.tfew.core.hub.ModelLocator;
import io.tfew.core.plugin.PluginRegistry;
import io.tfew.core.runtime.LoadedModel;
import io.tfew.core.score.ChoiceBatch;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tfew generate}: greedy decoding of JSONL inputs. */
@Command(name = "generate", mixinStandardHelpOptions = true,
    description = "Greedy decoding: for each row {\"input\": str}, append {\"generation\": str, \"ids\": [int]}.")
public final class GenerateCommand implements Callable<Integer> {
  @Mixin
  ModelOptions modelOptions;

  @Option(names = "--data", required = true, paramLabel = "FILE.jsonl", description = "Rows {\"input\": str}.")
  Path data;

  @Option(names = "--out", paramLabel = "FILE.jsonl", description = "Write rows here (atomically) instead of stdout.")
  Path out;

  @Option(names = "--max-new-tokens", defaultValue = "32", paramLabel = "N",
      description = "Tokens to generate after the start token, at most 512; stops earlier once every row has "
          + "emitted EOS (default: ${DEFAULT-VALUE}).")
  int maxNewTokens;

  @Option(names = "--batch-size", defaultValue = "8", paramLabel = "N", description = "Rows per batch (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Spec
  CommandSpec spec;

  private final ModelLocator locator;
  private final PluginRegistry registry;

  @Inject
  GenerateCommand(ModelLocator locator, PluginRegistry registry) {
    this.locator = locator;
    this.registry = registry;
  }

  @Override
  public Integer call() {
    modelOptions.validate();
    if (modelOptions.taskAdapters(registry).isPresent()) {
      throw new TfewException("--adapter TASK=DIR is for tfew score (rows with a \"task\" field); tfew generate "
          + "takes plain --adapter DIR");
    }
    if (maxNewTokens < 1 || maxNewTokens > GreedyDecoder.MAX_NEW_TOKENS) {
      throw new TfewException("--max-new-tokens " + maxNewTokens + ": must be between 1 and "
          + GreedyDecoder.MAX_NEW_TOKENS + " (each step re-runs the decoder on the whole prefix, so longer "
          + "generations take quadratically longer; decoding stops earlier once every row has emitted EOS)");
    }
    if (batchSize < 1) {
      throw new TfewException("--batch-size " + batchSize + ": must be at least 1");
    }
    if (batchSize > ChoiceBatch.MAX_EXAMPLES) {
      throw new TfewException("--batch-size " + batchSize + ": must be at most " + ChoiceBatch.MAX_EXAMPLES
          + " (a batch that large would exhaust memory)");
    }
    if (out != null) {
      AtomicFile.requireWritable("--out", out, data);
    }
    List<String> inputs = readInputs(data);
    Path dir = modelOptions.resolveModel(locator);
    try (LoadedModel model = LoadedModel.open(dir, modelOptions.methods(registry),
        List.of(LoadedModel.Program.GENERATE), modelOptions.maxSeqLen, 0L, loaded -> { })) {
      List<Map<String, Object>> rows = new ArrayList<>();
      for (int start = 0; start < inputs.size(); start += batchSize) {
        List<String> batch = inputs.subList(start, Math.min(inputs.size(), start + batchSize));
        int[][] ids = model.tokenizer().encodeAll(batch);
        int[][] generated = model.greedy().decode(model.session(), ids, new int[ids.length], maxNewTokens);
        for (int i = 0; i < batch.size(); i++) {
          int[] tokens = Arrays.copyOfRange(generated[i], 1, generated[i].length);
          Map<String, Object> row = new LinkedHashMap<>();
          row.put("input", batch.get(i));
          row.put("generation", model.tokenizer().decode(tokens));
          row.put("ids", tokens);
          rows.add(row);
        }
      }
      if (out != null) {
        try (JsonlWriter w = JsonlWriter.open(out)) {
          rows.forEach(w::write);
          w.commit();
        }
      } else {
        rows.forEach(r -> spec.commandLine().getOut().println(JsonlWriter.toJson(r)));
        spec.commandLine().getOut().flush();
      }
    }
    return 0;
  }

  private static List<String> readInputs(Path file) {
    List<String> inputs = new ArrayList<>();
    JsonlObjects.read(file, (line, row) -> {
      JsonNode input = row.get("input");
      if (input == null || !input.isTextual()) {
        throw new TfewException(file + ":" + line + ": field \"input\" must be a string; give the prompt as "
            + "{\"input\": \"...\"}");
      }
      inputs.add(input.textValue());
    });
    if (inputs.isEmpty()) {
      throw new TfewException(file + ": no rows; add lines like {\"input\": \"...\"}");
    }
    return inputs;
  }
}
