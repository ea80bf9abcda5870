package io.tfew.core.hub;

import io.tfew.core.checkpoint.Checkpoint;
import io.tfew.core.checkpoint.ShardIndex;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Turns a model reference into a local directory holding {@code config.json} and the weights.
 *
 * <p>A reference is either an existing local directory, or a Hugging Face repo id such as
 * {@code google/t5-v1_1-small} or {@code bigscience/T0_3B@<revision>}. Repo ids are looked up in
 * the shared Hugging Face cache first; a complete cached snapshot is used without any network access.
 * Otherwise (unless offline) the missing files are downloaded into that cache in the layout Python's
 * {@code huggingface_hub} uses, so Python and tfew share the download.
 *
 * <pre>{@code
 * Path dir = new ModelLocator(HubSettings.fromEnvironment(System.getenv())).resolve("google/t5-v1_1-small");
 * }</pre>
 */
public final class ModelLocator {
  private final HubSettings settings;
  private final Duration connectTimeout;
  private final Duration requestTimeout;
  private final Duration stallTimeout;
  private final Duration retryBackoff;

  public ModelLocator(HubSettings settings) {
    this(settings, Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(60), Duration.ofSeconds(1));
  }

  ModelLocator(HubSettings settings, Duration connectTimeout, Duration requestTimeout,
      Duration stallTimeout, Duration retryBackoff) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.connectTimeout = connectTimeout;
    this.requestTimeout = requestTimeout;
    this.stallTimeout = stallTimeout;
    this.retryBackoff = retryBackoff;
  }

  /** Returns the model directory for {@code reference}, downloading it if needed and allowed. */
  public Path resolve(String reference) {
    Objects.requireNonNull(reference, "reference");
    Optional<Path> local = localDirectory(reference);
    if (local.isPresent()) {
      return local.get();
    }
    RepoReference ref = RepoReference.parse(reference);
    CacheRepo cache = new CacheRepo(settings.cacheDir(), ref);
    Optional<String> commit = cache.commitFor(ref.revision());
    Optional<String> missing = commit.flatMap(c -> cache.missing(c, !settings.offline()));
    if (commit.isPresent() && missing.isEmpty()) {
      return cache.snapshotDir(commit.get());
    }
    if (settings.offline()) {
      String why = commit.isEmpty()
          ? "no cached revision '" + ref.revision() + "' under " + cache.root()
          : "snapshot " + cache.snapshotDir(commit.get()) + " lacks " + missing.get();
      throw new HubException("model " + ref + " is not in the Hugging Face cache at " + settings.cacheDir()
          + " (" + why + ") and HF_HUB_OFFLINE is set; download it first with `huggingface-cli download "
          + ref.repoId() + (ref.revision().equals(RepoReference.DEFAULT_REVISION) ? "" : " --revision " + ref.revision())
          + "`, unset HF_HUB_OFFLINE, or pass a local model directory");
    }
    return download(ref, cache);
  }

  private static Optional<Path> localDirectory(String reference) {
    Path path;
    try {
      path = Paths.get(reference);
    } catch (InvalidPathException e) {
      return Optional.empty();
    }
    if (Files.isDirectory(path)) {
      if (!Files.isRegularFile(path.resolve(CacheRepo.CONFIG))) {
        throw new HubException(path.toAbsolutePath() + ": local model directory has no " + CacheRepo.CONFIG
            + "; pass a directory saved with save_pretrained (config.json plus weights), or a hub repo id");
      }
      return Optional.of(path.toAbsolutePath().normalize());
    }
    if (Files.exists(path)) {
      throw new HubException(path.toAbsolutePath() + ": is a file, not a model directory; pass the directory"
          + " that holds config.json and the weights");
    }
    if (!RepoReference.looksLikeRepoId(reference)) {
      throw new HubException("'" + reference + "': no such local directory, and not a Hugging Face repo id"
          + " like 'org/name' either; check the path");
    }
    return Optional.empty();
  }

  private Path download(RepoReference ref, CacheRepo cache) {
    HubHttp http = new HubHttp(settings, connectTimeout, requestTimeout);
    BlobDownloader blobs = new BlobDownloader(http, stallTimeout, retryBackoff);
    try {
      return new SnapshotDownload(ref, cache, http, blobs).run();
    } catch (HttpTimeoutException | ConnectException e) {
      throw new HubException("cannot reach " + settings.endpoint() + " to download " + ref + " (" + e
          + "); check your network or HF_ENDPOINT, or download the model elsewhere with `huggingface-cli"
          + " download " + ref.repoId() + "` and pass its directory", e);
    } catch (IOException e) {
      throw new HubException("downloading " + ref + " into " + cache.root() + " failed (" + e
          + "); check network, disk space and permissions of " + settings.cacheDir() + ", then retry", e);
    }
  }

  /** One download of a snapshot: config, weights (single or sharded), tokenizer, then the ref. */
  private static final class SnapshotDownload {
    private final RepoReference ref;
    private final CacheRepo cache;
    private final HubHttp http;
    private final BlobDownloader blobs;
    private String commit;
    private String pinnedRevision;

    SnapshotDownload(RepoReference ref, CacheRepo cache, HubHttp http, BlobDownloader blobs) {
      this.ref = ref;
      this.cache = cache;
      this.http = http;
      this.blobs = blobs;
    }

    Path run() throws IOException {
      RemoteFile config = http.head(ref, ref.revision(), CacheRepo.CONFIG).orElseThrow(() -> new HubException(
          http.resolveUrl(ref, ref.revision(), CacheRepo.CONFIG) + ": " + ref + " has no " + CacheRepo.CONFIG
              + "; check the repo id and revision (tfew needs a transformers model repository)"));
      commit = config.commit() != null ? config.commit() : ref.revision().replace("/", "--");
      if (!CacheRepo.isSafeDirName(commit)) {
        throw new HubException(config.url() + ": the server sent an unusable X-Repo-Commit '" + commit
            + "'; check that HF_ENDPOINT is a Hugging Face hub");
      }
      // Ask for the exact commit from now on, so a push during the download cannot mix revisions.
      pinnedRevision = RepoReference.isCommitHash(commit) ? commit : ref.revision();
      store(config);

      Optional<RemoteFile> index = have(ShardIndex.FILE_NAME) ? Optional.empty() : head(ShardIndex.FILE_NAME);
      if (index.isPresent()) {
        store(index.get());
      }
      if (have(ShardIndex.FILE_NAME)) {
        Path indexFile = cache.snapshotDir(commit).resolve(ShardIndex.FILE_NAME);
        for (String shard : ShardIndex.read(indexFile).shardNames()) {
          fetchRequired(shard);
        }
      } else {
        fetchRequired(Checkpoint.SINGLE_FILE);
      }

      if (!have(CacheRepo.TOKENIZER) && !cache.isKnownAbsent(commit, CacheRepo.TOKENIZER)) {
        Optional<RemoteFile> tokenizer = head(CacheRepo.TOKENIZER);
        if (tokenizer.isPresent()) {
          store(tokenizer.get());
        } else {
          cache.markAbsent(commit, CacheRepo.TOKENIZER);
        }
      }
      if (!ref.revision().equals(commit)) {
        cache.writeRef(ref.revision(), commit);
      }
      return cache.snapshotDir(commit);
    }

    private boolean have(String file) {
      return Files.exists(cache.snapshotDir(commit).resolve(file));
    }

    private Optional<RemoteFile> head(String file) throws IOException {
      return http.head(ref, pinnedRevision, file);
    }

    private void fetchRequired(String file) throws IOException {
      if (have(file)) {
        return;
      }
      RemoteFile remote = head(file).orElseThrow(() -> new HubException(
          http.resolveUrl(ref, pinnedRevision, file) + ": " + ref + " has no " + file
              + (file.equals(Checkpoint.SINGLE_FILE) ? " (nor " + ShardIndex.FILE_NAME + "); tfew needs"
                  + " safetensors weights, convert the model or pick a repo that has them"
                  : "; the repository's shard index is inconsistent, report it to the model's authors")));
      store(remote);
    }

    private void store(RemoteFile remote) throws IOException {
      if (have(remote.path())) {
        return;
      }
      Path blob = cache.blob(remote.etag());
      if (!Files.exists(blob)) {
        blobs.download(ref, remote, blob);
      }
      cache.link(commit, remote.path(), blob);
    }
  }
}
