package io.tfew.cli.endtoend;

import static org.assertj.core.api.Assertions.assertThat;

import io.tfew.cli.TfewCli;
import io.tfew.core.testing.TinyTask;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What LOMO cannot do is refused before training, naming the field and the fix. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LomoConfigTest {
  private static final Path RECIPE = Path.of("../experiments/tiny/ia3-rank.yaml").toAbsolutePath();
  private Path dir;

  @BeforeAll
  void task(@TempDir Path tempDir) throws IOException {
    dir = tempDir;
    TinyTask.write(dir);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "train.optimizer=adamw | --set train.optimizer = adamw: peft method 'lomo' | remove train.optimizer or set it to sgd",
      "train.optimizer=adafactor | --set train.optimizer = adafactor | remove train.optimizer or set it to sgd",
      "train.grad_accum=2 | --set train.grad_accum = 2: peft method 'lomo' | set train.grad_accum: 1"})
  void refuses(String setting, String where, String fix) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status = TfewCli.run(new String[] {"train", RECIPE.toString(), "--out", dir.resolve("run").toString(),
        "--set", "model=" + dir.resolve("model"),
        "--set", "data.train.path=" + dir.resolve("train.jsonl"),
        "--set", "data.eval.path=" + dir.resolve("eval.jsonl"),
        "--set", "peft[0].method=lomo", "--set", "train.steps=2", "--set", "train.eval_before=false",
        "--set", setting}, new PrintWriter(out), new PrintWriter(err));
    assertThat(status).isNotZero();
    assertThat(err.toString()).contains(where).contains(fix);
  }
}
