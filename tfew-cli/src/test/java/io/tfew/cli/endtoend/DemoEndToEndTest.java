package io.tfew.cli.endtoend;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tfew.core.model.RandomCheckpointWriter;
import io.tfew.core.model.RandomModels;
import io.tfew.core.tokenize.WordLevelTokenizerWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tfew demo} on a grid of the same layout as mini-T0's, shrunk: a tiny random T5, one task with two
 * templates, one sample, two methods and a few steps. Checks the printed table's shape, the Markdown and
 * CSV tables, and that every run directory is a complete ordinary run.
 */
class DemoEndToEndTest {
  @TempDir
  Path dir;

  @Test
  void demoWritesTheTableAndEveryRunDirectory() throws IOException {
    writeGrid(dir);
    Path out = dir.resolve("out");
    String printed = TrainEndToEndTest.cli("demo", "--grid", dir.resolve("demo.yaml").toString(), "--seeds", "1",
        "--steps", "5", "--workers", "2", "--out", out.toString());

    List<String> table = printed.lines().filter(l -> l.startsWith("method") || l.startsWith("zero_shot")
        || l.startsWith("ia3") || l.startsWith("lora")).toList();
    assertThat(table).hasSize(4);
    assertThat(table.get(0)).contains("trainable", "% of model", "word5 (IQR)", "mean");
    assertThat(table.get(1)).startsWith("zero_shot").contains(" 0 ", "0.0%");
    assertThat(table.get(2)).startsWith("ia3").matches(".*\\d+\\.\\d \\[\\d+\\.\\d-\\d+\\.\\d\\].*");
    assertThat(printed).contains("3 runs in");

    List<String> markdown = Files.readAllLines(out.resolve("table.md"));
    assertThat(markdown).hasSize(2 + 3);
    for (String line : markdown) {
      assertThat(line.chars().filter(c -> c == '|').count()).as(line).isEqualTo(3 + 1 + 1 + 1);
    }
    List<String> csv = Files.readAllLines(out.resolve("table.csv"));
    assertThat(csv.get(0)).isEqualTo("method,task,median,q1,q3,values,trainable_parameters,trainable_percent");
    assertThat(csv).hasSize(1 + 3 * 2);
    // One sample x two templates per task and method.
    assertThat(csv.get(3)).startsWith("ia3,word5,").contains(",2,");

    ObjectMapper json = new ObjectMapper();
    for (String run : List.of("zero_shot/word5", "ia3/word5/seed0", "lora/word5/seed0")) {
      Path runDir = out.resolve(run);
      assertThat(runDir.resolve("metrics.jsonl")).as(run).isRegularFile();
      assertThat(runDir.resolve("config.resolved.yaml")).as(run).isRegularFile();
      JsonNode provenance = json.readTree(runDir.resolve("provenance.json").toFile());
      assertThat(provenance.get("files_sha256").get("data.eval").asText()).hasSize(64);
      assertThat(provenance.get("evaluations").size()).as(run).isEqualTo(1);
    }
    assertThat(out.resolve("ia3/word5/seed0/adapter/adapter_model.safetensors")).isRegularFile();
    assertThat(out.resolve("zero_shot/word5/adapter")).doesNotExist();
    long trainRows = Files.readAllLines(out.resolve("lora/word5/seed0/metrics.jsonl")).stream()
        .filter(l -> l.contains("\"phase\":\"train\"")).count();
    assertThat(trainRows).isEqualTo(5);
  }

  /**
   * A method's later cells run on the graph its first cell built, with parameters re-initialised for the
   * new seed; {@code tfew train --from} of such a cell, in a fresh graph, must give the same numbers. Full
   * fine-tuning (base weights reloaded between cells) and prompt tuning (initialised from the embeddings).
   */
  @Test
  void aCellOnAReusedGraphEqualsAFreshRunOfItsProvenance() throws IOException {
    writeGrid(dir);
    Path out = dir.resolve("out");
    TrainEndToEndTest.cli("demo", "--grid", dir.resolve("demo.yaml").toString(), "--methods", "full,prompt_tuning",
        "--seeds", "2", "--steps", "4", "--no-zero-shot", "--out", out.toString());
    for (String method : List.of("full", "prompt_tuning")) {
      Path cell = out.resolve(method + "/word5/seed1");
      Path again = dir.resolve("again-" + method);
      TrainEndToEndTest.cli("train", "--from", cell.resolve("provenance.json").toString(), "--out", again.toString());
      assertThat(Files.readAllLines(again.resolve("metrics.jsonl"))).as(method)
          .isEqualTo(Files.readAllLines(cell.resolve("metrics.jsonl")));
      assertThat(Files.readAllBytes(again.resolve("adapter/adapter_model.safetensors"))).as(method)
          .isEqualTo(Files.readAllBytes(cell.resolve("adapter/adapter_model.safetensors")));
    }
  }

  /**
   * {@code --tune} trains every learning rate of the grid's {@code tune.lr} on the validation rows only,
   * and prints one rate per method; the runs record the rate and the validation file.
   */
  @Test
  void tuneScoresEveryRateOnTheValidationRowsAndChoosesOnePerMethod() throws IOException {
    writeGrid(dir);
    Path out = dir.resolve("tune");
    String printed = TrainEndToEndTest.cli("demo", "--grid", dir.resolve("demo.yaml").toString(), "--tune",
        "--methods", "ia3", "--steps", "3", "--out", out.toString());

    assertThat(printed).contains("validation rows", "2 runs in").containsPattern("ia3: train\\.lr (0\\.01|0\\.1)\n");
    assertThat(printed.lines().filter(l -> l.startsWith("ia3 ")).toList()).hasSize(2);
    assertThat(Files.readString(out.resolve("tune.csv"))).contains("ia3,0.01,word5,", "ia3,0.1,word5,");
    ObjectMapper json = new ObjectMapper();
    for (String lr : List.of("0.01", "0.1")) {
      JsonNode config = json.readTree(out.resolve("ia3/word5/lr" + lr + "/seed0/provenance.json").toFile())
          .get("config");
      assertThat(config.get("data").get("eval").get("path").asText()).endsWith("validation.jsonl");
      assertThat(config.get("train").get("lr").asDouble()).isEqualTo(Double.parseDouble(lr));
    }
    assertThat(out.resolve("zero_shot")).doesNotExist();
  }

  /** The mini-T0 layout: demo.yaml, a recipe per method, tasks/word5/{templates.yaml, test.jsonl, 32_shot/}. */
  static void writeGrid(Path dir) throws IOException {
    Files.createDirectories(dir.resolve("model"));
    List<String> words = new ArrayList<>();
    for (int i = 3; i < 64; i++) {
      words.add("w" + i);
    }
    WordLevelTokenizerWriter.write(dir.resolve("model/tokenizer.json"), words);
    RandomCheckpointWriter.write(RandomModels.tiny(64), dir.resolve("model"), 1L);
    Path task = dir.resolve("tasks/word5");
    Files.createDirectories(task.resolve("32_shot"));
    Files.writeString(task.resolve("templates.yaml"), String.join("\n",
        "dataset: tiny",
        "templates:",
        "  t1: !Template",
        "    answer_choices: w3 ||| w4",
        "    id: t1",
        "    jinja: '{{words}} w9 ||| {{ answer_choices[label] }}'",
        "    metadata: !TemplateMetadata {original_task: true}",
        "    name: plain",
        "  t2: !Template",
        "    answer_choices: w7 ||| w8",
        "    id: t2",
        "    jinja: 'w6 {{words}} ||| {{ answer_choices[label] }}'",
        "    metadata: !TemplateMetadata {original_task: true}",
        "    name: prefixed",
        ""));
    SplittableRandom r = new SplittableRandom(5);
    rows(task.resolve("32_shot/0_seed.jsonl"), 32, r);
    rows(task.resolve("32_shot/1_seed.jsonl"), 32, r);
    rows(task.resolve("test.jsonl"), 40, r);
    rows(task.resolve("validation.jsonl"), 20, r);
    Files.writeString(dir.resolve("base.yaml"), String.join("\n",
        "model: model",
        "max_seq_len: 16",
        "data:",
        "  train: {format: fewshot-jsonl, path: tasks/word5/32_shot/0_seed.jsonl}",
        "  eval: {format: fewshot-jsonl, path: tasks/word5/test.jsonl}",
        "  templates: {file: tasks/word5/templates.yaml}",
        "train: {steps: 50, batch_size: 4, optimizer: adamw, lr: 1.0e-2, checkpoint_every: 0, eval_before: false}",
        "eval: {batch_size: 64}",
        "runtime: {threads: 1, optimize_graph: false}",
        ""));
    Files.writeString(dir.resolve("zero-shot.yaml"), "extends: base.yaml\n");
    Files.writeString(dir.resolve("ia3.yaml"), "extends: base.yaml\npeft: [{method: ia3}]\n");
    Files.writeString(dir.resolve("lora.yaml"), "extends: base.yaml\npeft: [{method: lora}]\n");
    Files.writeString(dir.resolve("full.yaml"), "extends: base.yaml\npeft: [{method: full}]\n");
    Files.writeString(dir.resolve("prompt_tuning.yaml"), "extends: base.yaml\npeft: [{method: prompt_tuning}]\n");
    Files.writeString(dir.resolve("demo.yaml"), String.join("\n",
        "tasks: [word5]", "methods: [ia3, lora]", "zero_shot: zero-shot.yaml", "seeds: 3", "shots: 32",
        "tune: {seeds: 1, lr: {ia3: ['1e-2', '1e-1'], lora: ['1e-2']}}", ""));
  }

  /** Rows {words, label}: label 0 when w5 is among the words. */
  private static void rows(Path file, int n, SplittableRandom r) throws IOException {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      boolean positive = i % 2 == 0;
      List<String> input = new ArrayList<>();
      for (int t = 0; t < 5; t++) {
        input.add("w" + (10 + r.nextInt(50)));
      }
      if (positive) {
        input.set(r.nextInt(5), "w5");
      }
      sb.append("{\"words\": \"").append(String.join(" ", input)).append("\", \"label\": ")
          .append(positive ? 0 : 1).append("}\n");
    }
    Files.writeString(file, sb.toString());
  }
}
