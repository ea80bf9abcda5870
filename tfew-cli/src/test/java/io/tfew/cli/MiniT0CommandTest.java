package io.tfew.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MiniT0CommandTest {
  @TempDir Path dir;

  @Test
  void tasksWritesEveryHeldOutFamily() {
    CliRun run = CliRun.of("minit0", "tasks", "--out", dir.toString(), "--seed", "3");
    assertThat(run.exit()).as(run.toString()).isZero();
    assertThat(run.out()).contains("rating, not_like, positive_choice");
    assertThat(dir.resolve("not_like/32_shot/2_seed.jsonl")).isRegularFile();
  }

  @Test
  void samplePrintsPromptsOfOneFamilyAndRejectsAnUnknownOne() {
    CliRun run = CliRun.of("minit0", "sample", "--family", "successor", "-n", "4");
    assertThat(run.exit()).as(run.toString()).isZero();
    assertThat(run.outLines()).hasSize(4).allSatisfy(l -> assertThat(l).startsWith("successor: ").contains(" => "));

    CliRun bad = CliRun.of("minit0", "sample", "--family", "nope");
    assertThat(bad.exit()).isEqualTo(TfewCli.USAGE);
    assertThat(bad.err()).contains("--family nope").contains("successor");
  }

  @Test
  void pretrainRejectsBadArgumentsBeforeTraining() {
    CliRun shape = CliRun.of("pretrain", "--out", dir.resolve("m").toString(), "--shape", "huge");
    assertThat(shape.exit()).isEqualTo(TfewCli.USAGE);
    assertThat(shape.err()).contains("--shape 'huge'");
    CliRun warmup = CliRun.of("pretrain", "--out", dir.resolve("m").toString(), "--steps", "10", "--warmup", "20");
    assertThat(warmup.exit()).isEqualTo(TfewCli.USAGE);
    assertThat(warmup.err()).contains("--warmup = 20");
    CliRun lr = CliRun.of("pretrain", "--out", dir.resolve("m").toString(), "--lr", "0");
    assertThat(lr.exit()).isEqualTo(TfewCli.USAGE);
    assertThat(lr.err()).contains("--lr = 0.0");
    assertThat(dir.resolve("m")).doesNotExist();
  }
}
