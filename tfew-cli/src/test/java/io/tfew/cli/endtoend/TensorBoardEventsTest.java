package io.tfew.cli.endtoend;

import static io.tfew.cli.endtoend.TrainEndToEndTest.cli;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tfew.core.testing.TinyTask;
import io.tfew.experiments.tensorboard.EventFileReader.Scalar;
import io.tfew.experiments.tensorboard.EventFileReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tfew train} writes TensorBoard events beside metrics.jsonl: every training row's loss, gradient
 * norm and learning rate, each loss term, and every evaluation metric, at metrics.jsonl's steps and values.
 */
class TensorBoardEventsTest {
  private static final Path RECIPE = Path.of("../experiments/tiny/ia3-rank.yaml").toAbsolutePath();
  private static final List<String> LOSS_TERMS = List.of("lm", "unlikelihood", "length_norm");

  @Test
  void theEventsHoldMetricsJsonlAndTheLossTerms(@TempDir Path dir) throws IOException {
    TinyTask.write(dir);
    Path out = dir.resolve("run");
    cli("train", RECIPE.toString(), "--out", out.toString(),
        "--set", "model=" + dir.resolve("model"),
        "--set", "data.train.path=" + dir.resolve("train.jsonl"),
        "--set", "data.eval.path=" + dir.resolve("eval.jsonl"),
        "--set", "train.steps=6");

    List<Scalar> scalars = EventFileReader.scalars(EventFileReader.onlyFile(out.resolve("tensorboard")));
    Set<String> expected = new HashSet<>();
    int trainRows = 0;
    for (String line : Files.readAllLines(out.resolve("metrics.jsonl"))) {
      JsonNode row = new ObjectMapper().readTree(line);
      long step = row.get("step").asLong();
      boolean train = row.get("phase").asText().equals("train");
      String prefix = train ? "train/" : "eval/" + row.get("template").asText() + "/";
      for (Iterator<Map.Entry<String, JsonNode>> it = row.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> f = it.next();
        if (f.getValue().isNumber() && !List.of("step", "examples").contains(f.getKey())) {
          String tag = prefix + f.getKey();
          assertThat(value(scalars, tag, step)).as(tag + " at step " + step)
              .isEqualTo((float) f.getValue().asDouble());
          expected.add(tag + "@" + step);
        }
      }
      if (train) {
        trainRows++;
        double sum = 0;
        for (String term : LOSS_TERMS) {
          expected.add("train/loss/" + term + "@" + step);
          sum += value(scalars, "train/loss/" + term, step); // the recipe weighs each term 1.0
        }
        assertThat(sum).as("the terms add up to the loss at step " + step)
            .isCloseTo(row.get("loss").asDouble(), within(1e-4 * Math.max(1, Math.abs(sum))));
      }
    }
    assertThat(trainRows).isEqualTo(6);
    assertThat(expected).contains("eval/median/accuracy@0", "eval/median/accuracy@6", "train/lr@1");
    // Nothing but these: one value per tag and step.
    assertThat(scalars.stream().map(s -> s.tag() + "@" + s.step()).collect(Collectors.toList()))
        .containsExactlyInAnyOrderElementsOf(new ArrayList<>(expected));
  }

  private static float value(List<Scalar> scalars, String tag, long step) {
    List<Scalar> found = scalars.stream().filter(s -> s.tag().equals(tag) && s.step() == step).toList();
    assertThat(found).as("events for %s at step %d", tag, step).hasSize(1);
    return found.get(0).value();
  }
}
