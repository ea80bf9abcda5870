package io.tfew.experiments.sweep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tfew.api.TfewException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One holder at a time; a lock file left by a process that is gone is free again. */
class CellLockTest {
  @TempDir
  Path dir;

  @Test
  void aHeldLockIsNotGrantedAgainUntilReleased() {
    Optional<CellLock> first = CellLock.tryAcquire(dir);
    assertThat(first).isPresent();
    assertThat(CellLock.tryAcquire(dir)).isEmpty();
    assertThat(CellLock.owner(dir)).startsWith("pid " + ProcessHandle.current().pid() + " on ");

    first.get().close();
    Optional<CellLock> again = CellLock.tryAcquire(dir);
    assertThat(again).isPresent();
    again.get().close();
  }

  @Test
  void aLockFileLeftByAKilledProcessIsTakenOver() throws IOException {
    // What a SIGKILLed holder leaves: the file with its owner line, and no lock, since the system dropped it.
    Files.writeString(dir.resolve(CellLock.FILE), "pid 999999 on elsewhere since 2026-01-01T00:00:00Z\n");

    Optional<CellLock> lock = CellLock.tryAcquire(dir);
    assertThat(lock).isPresent();
    assertThat(CellLock.owner(dir)).startsWith("pid " + ProcessHandle.current().pid());
    lock.get().close();
  }

  @Test
  void aLockFileThatIsALinkIsRefusedAndWhatItPointsAtKept() throws IOException {
    Path precious = Files.writeString(dir.resolve("precious.txt"), "keep");
    Path run = Files.createDirectories(dir.resolve("run"));
    Files.createSymbolicLink(run.resolve(CellLock.FILE), precious);
    assertThatThrownBy(() -> CellLock.tryAcquire(run)).isInstanceOf(TfewException.class)
        .hasMessageStartingWith(run.resolve(CellLock.FILE) + ": is a symbolic link");
    assertThat(Files.readString(precious)).isEqualTo("keep");
    assertThat(CellLock.owner(run)).isEqualTo("unknown");
  }

  @Test
  void theOwnerIsQuotedOnlyInTheFormAHolderWritesIt() throws IOException {
    Files.writeString(dir.resolve(CellLock.FILE), "root:x:0:0:root:/root:/bin/bash\n");
    assertThat(CellLock.owner(dir)).isEqualTo("unknown");
  }
}
