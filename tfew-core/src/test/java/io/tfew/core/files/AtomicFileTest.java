package io.tfew.core.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tfew.api.TfewException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFileTest {
  @TempDir Path dir;

  private List<String> names() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void replacesARegularFileAndLeavesNoTemporary() throws IOException {
    Path target = dir.resolve("out.jsonl");
    Files.writeString(target, "old");
    AtomicFile.writeString(target, "new");
    assertThat(Files.readString(target)).isEqualTo("new");
    assertThat(names()).containsExactly("out.jsonl");
  }

  @Test
  void refusesASymbolicLinkAndLeavesItAndItsTargetAlone() throws IOException {
    Path pointee = Files.writeString(dir.resolve("precious.txt"), "keep");
    Path link = Files.createSymbolicLink(dir.resolve("out.jsonl"), pointee);
    assertThatThrownBy(() -> AtomicFile.writeString(link, "new")).isInstanceOf(TfewException.class)
        .hasMessageStartingWith(link + ": is a symbolic link")
        .hasMessageContaining("not a regular file");
    assertThat(Files.isSymbolicLink(link)).isTrue();
    assertThat(Files.readString(pointee)).isEqualTo("keep");
    assertThat(names()).containsExactly("out.jsonl", "precious.txt");
  }

  @Test
  void refusesAFifoWithoutOpeningIt() throws Exception {
    Path fifo = SpecialFiles.fifo(dir.resolve("out.jsonl"));
    assertThatThrownBy(() -> AtomicFile.writeString(fifo, "new")).isInstanceOf(TfewException.class)
        .hasMessageStartingWith(fifo + ": is a FIFO");
    assertThat(FileKind.of(fifo)).isEqualTo(FileKind.FIFO);
    assertThat(names()).containsExactly("out.jsonl");
  }

  @Test
  void refusesADirectory() throws IOException {
    Path sub = Files.createDirectory(dir.resolve("out"));
    assertThatThrownBy(() -> AtomicFile.writeString(sub, "x")).isInstanceOf(TfewException.class)
        .hasMessageContaining("is a directory").hasMessageContaining("will not replace a directory");
  }

  @Test
  void devicesAreNamedAsSuch() {
    // Only inspected: a test must never try to write over a device, even to prove it is refused.
    assertThat(FileKind.of(Path.of("/dev/null"))).isEqualTo(FileKind.CHARACTER_DEVICE);
    assertThatThrownBy(() -> AtomicFile.requireReplaceable(Path.of("/dev/null")))
        .hasMessage("/dev/null: is a character device, not a regular file; tfew writes a new file in its place "
            + "and will not replace it: give the path of a regular file (or of one that does not exist yet)");
  }

  @Test
  void aReplacedFileKeepsItsPermissions() throws IOException {
    Path target = dir.resolve("shared.md");
    Files.writeString(target, "old");
    Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-r-----"));
    AtomicFile.writeString(target, "new");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(target))).isEqualTo("rw-r-----");
  }

  @Test
  void aNewFileGetsTheModeTheUmaskGivesNotOwnerOnly() throws IOException {
    Path reference = Files.createFile(dir.resolve("reference"));
    Path target = AtomicFile.writeString(dir.resolve("new.md"), "x");
    assertThat(Files.getPosixFilePermissions(target)).isEqualTo(Files.getPosixFilePermissions(reference));
  }

  @Test
  void aFailedWriteKeepsTheOldFileAndRemovesTheTemporary() throws IOException {
    Path target = Files.writeString(dir.resolve("out.jsonl"), "old");
    assertThatThrownBy(() -> AtomicFile.write(target, out -> {
      out.write("half".getBytes());
      throw new IOException("disk full");
    })).isInstanceOf(TfewException.class).hasMessageStartingWith(target + ": cannot write");
    assertThat(Files.readString(target)).isEqualTo("old");
    assertThat(names()).containsExactly("out.jsonl");
  }

  @Test
  void aPendingWriteClosedWithoutCommitChangesNothing() throws IOException {
    Path target = Files.writeString(dir.resolve("out.jsonl"), "old");
    try (AtomicFile.Pending p = AtomicFile.open(target)) {
      p.stream().write("new".getBytes());
    }
    assertThat(Files.readString(target)).isEqualTo("old");
    assertThat(names()).containsExactly("out.jsonl");
  }

  @Test
  void staleTemporariesOfDeadWritersAreRemovedByTheNextWrite() throws Exception {
    Path target = dir.resolve("metrics.jsonl");
    Path stale = Files.writeString(dir.resolve(AtomicFile.temporaryName("metrics.jsonl", SpecialFiles.deadPid())), "x");
    Path live = Files.writeString(dir.resolve(AtomicFile.temporaryName("metrics.jsonl")), "x");
    Path other = Files.writeString(dir.resolve(".metrics.jsonl.tmp"), "not tfew's pattern");
    AtomicFile.writeString(target, "rows");
    assertThat(stale).doesNotExist();
    assertThat(live).exists();
    assertThat(other).exists();
  }

  @Test
  void staleTemporariesAreRemovedFromARunDirectoryTree() throws Exception {
    Path sub = Files.createDirectories(dir.resolve("checkpoint"));
    long dead = SpecialFiles.deadPid();
    Path stale = Files.writeString(sub.resolve(AtomicFile.temporaryName("state.safetensors", dead)), "x");
    Path live = Files.writeString(sub.resolve(AtomicFile.temporaryName("state.safetensors")), "x");
    assertThat(AtomicFile.removeStaleTemporaries(dir)).isEqualTo(1);
    assertThat(stale).doesNotExist();
    assertThat(live).exists();
  }

  @Test
  void anOutputThatIsTheInputIsRefusedAlsoThroughALink() throws IOException {
    Path input = Files.writeString(dir.resolve("data.jsonl"), "{}");
    Path link = Files.createSymbolicLink(dir.resolve("alias.jsonl"), input);
    Path hard = Files.createLink(dir.resolve("hard.jsonl"), input);
    assertThatThrownBy(() -> AtomicFile.requireNotInput("--out", dir.resolve("./data.jsonl"), input))
        .hasMessageStartingWith("--out " + dir.resolve("./data.jsonl") + ": is the input file " + input);
    assertThatThrownBy(() -> AtomicFile.requireNotInput("--out", hard, link)).hasMessageContaining("is the input file");
    AtomicFile.requireNotInput("--out", dir.resolve("other.jsonl"), input);
    assertThat(Files.readString(input)).isEqualTo("{}");
    assertThat(Files.isRegularFile(link, LinkOption.NOFOLLOW_LINKS)).isFalse();
  }

  @Test
  void requireWritableNamesTheOption() throws Exception {
    Path fifo = SpecialFiles.fifo(dir.resolve("pipe"));
    assertThatThrownBy(() -> AtomicFile.requireWritable("--out", fifo)).hasMessageStartingWith("--out " + fifo + ": is a FIFO");
    assertThatThrownBy(() -> AtomicFile.requireWritable("--out", dir.resolve("no/such/file")))
        .hasMessageContaining("does not exist; create it first");
  }
}
