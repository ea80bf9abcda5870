package io.tfew.core.hub;

import io.tfew.core.checkpoint.Checkpoint;
import io.tfew.core.checkpoint.CheckpointException;
import io.tfew.core.checkpoint.ShardIndex;
import io.tfew.core.files.AtomicFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * One repository's folder in the Hugging Face cache, laid out as Python's huggingface_hub writes it:
 * {@code refs/<revision>} holds a commit hash, {@code snapshots/<commit>/<file>} links into
 * {@code blobs/<etag>}, and {@code .no_exist/<commit>/<file>} records files known to be absent upstream.
 */
final class CacheRepo {
  static final String CONFIG = "config.json";
  static final String TOKENIZER = "tokenizer.json";

  private final RepoReference ref;
  private final Path root;

  CacheRepo(Path cacheDir, RepoReference ref) {
    this.ref = ref;
    this.root = cacheDir.resolve(ref.cacheFolderName());
  }

  Path root() {
    return root;
  }

  /** The commit a revision points at: the revision itself if it is a hash, else refs/<revision>. */
  Optional<String> commitFor(String revision) {
    if (RepoReference.isCommitHash(revision)) {
      return Optional.of(revision);
    }
    Path refFile = root.resolve("refs").resolve(revision);
    if (!Files.isRegularFile(refFile)) {
      return Optional.empty();
    }
    String commit;
    try {
      commit = Files.readString(refFile, StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      throw new HubException(refFile + ": cannot read cached ref (" + e + "); delete it to re-resolve "
          + ref, e);
    }
    if (!isSafeDirName(commit)) {
      throw new HubException(refFile + ": holds '" + commit + "', not a commit hash; delete the file so "
          + ref + " is resolved again");
    }
    return Optional.of(commit);
  }

  Path snapshotDir(String commit) {
    return root.resolve("snapshots").resolve(commit);
  }

  Path blob(String etag) {
    return root.resolve("blobs").resolve(etag);
  }

  /**
   * What the snapshot lacks to be usable, or empty when complete. The tokenizer only counts when
   * {@code requireTokenizerDecision}: then it must be present or recorded as absent upstream.
   */
  Optional<String> missing(String commit, boolean requireTokenizerDecision) {
    Path snap = snapshotDir(commit);
    if (!Files.isDirectory(snap)) {
      return Optional.of("no snapshot " + snap);
    }
    // Files.exists follows links, so a dangling link into a deleted blob counts as missing.
    if (!Files.exists(snap.resolve(CONFIG))) {
      return Optional.of(CONFIG);
    }
    Optional<String> weights = missingWeights(snap);
    if (weights.isPresent()) {
      return weights;
    }
    if (requireTokenizerDecision && !Files.exists(snap.resolve(TOKENIZER)) && !isKnownAbsent(commit, TOKENIZER)) {
      return Optional.of(TOKENIZER);
    }
    return Optional.empty();
  }

  private static Optional<String> missingWeights(Path snap) {
    if (Files.exists(snap.resolve(Checkpoint.SINGLE_FILE))) {
      return Optional.empty();
    }
    Path index = snap.resolve(ShardIndex.FILE_NAME);
    if (!Files.exists(index)) {
      return Optional.of(Checkpoint.SINGLE_FILE + " or " + ShardIndex.FILE_NAME);
    }
    try {
      for (String shard : ShardIndex.read(index).shardNames()) {
        if (!Files.exists(snap.resolve(shard))) {
          return Optional.of("shard " + shard);
        }
      }
    } catch (CheckpointException e) {
      return Optional.of("a readable " + ShardIndex.FILE_NAME);
    }
    return Optional.empty();
  }

  boolean isKnownAbsent(String commit, String file) {
    return Files.exists(root.resolve(".no_exist").resolve(commit).resolve(file));
  }

  void markAbsent(String commit, String file) throws IOException {
    Path marker = root.resolve(".no_exist").resolve(commit).resolve(file);
    Files.createDirectories(marker.getParent());
    if (!Files.exists(marker)) {
      Files.createFile(marker);
    }
  }

  /** Points snapshots/<commit>/<file> at the blob, by relative symlink like huggingface_hub. */
  void link(String commit, String file, Path blob) throws IOException {
    Path target = snapshotDir(commit).resolve(file);
    Files.createDirectories(target.getParent());
    Files.deleteIfExists(target);
    try {
      Files.createSymbolicLink(target, target.getParent().relativize(blob));
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      // Some file systems (and Windows without privileges) refuse links; a copy works everywhere.
      AtomicFile.write(target, out -> Files.copy(blob, out));
    }
  }

  void writeRef(String revision, String commit) throws IOException {
    Path refFile = root.resolve("refs").resolve(revision);
    Files.createDirectories(refFile.getParent());
    AtomicFile.writeString(refFile, commit);
  }

  static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** Commit hashes and etags become path names; a hostile server must not be able to escape. */
  static boolean isSafeDirName(String s) {
    return s.matches("[A-Za-z0-9_.-]{1,128}") && !s.equals(".") && !s.equals("..");
  }
}
