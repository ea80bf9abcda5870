package io.tfew.core.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Resolution against a cache tree laid out as Python's huggingface_hub writes it; all offline. */
class ModelLocatorCacheTest {
  static final String COMMIT = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

  @TempDir Path tmp;
  Path cache;
  Path repo;

  @BeforeEach
  void setUp() {
    cache = tmp.resolve("hub");
    repo = cache.resolve("models--org--tiny");
  }

  private ModelLocator offline() {
    return new ModelLocator(new HubSettings(cache, URI.create("http://127.0.0.1:9"), true, Optional.empty()));
  }

  private void blobLinked(String commit, String file, String etag, String content) throws IOException {
    Path blob = repo.resolve("blobs").resolve(etag);
    Files.createDirectories(blob.getParent());
    Files.writeString(blob, content);
    Path link = repo.resolve("snapshots").resolve(commit).resolve(file);
    Files.createDirectories(link.getParent());
    Files.createSymbolicLink(link, Path.of("../../blobs").resolve(etag));
  }

  private void ref(String revision, String commit) throws IOException {
    Path ref = repo.resolve("refs").resolve(revision);
    Files.createDirectories(ref.getParent());
    Files.writeString(ref, commit);
  }

  private void completeSnapshot(String commit) throws IOException {
    blobLinked(commit, "config.json", "c1", "{}");
    blobLinked(commit, "model.safetensors", "w1", "weights");
  }

  @Test
  void resolvesRefsMainToSnapshot() throws IOException {
    completeSnapshot(COMMIT);
    ref("main", COMMIT + "\n");
    Path dir = offline().resolve("org/tiny");
    assertThat(dir).isEqualTo(repo.resolve("snapshots").resolve(COMMIT));
    assertThat(Files.readString(dir.resolve("model.safetensors"))).isEqualTo("weights");
  }

  @Test
  void resolvesNamedRevisionAndCommitHash() throws IOException {
    completeSnapshot(COMMIT);
    ref("v1", COMMIT);
    assertThat(offline().resolve("org/tiny@v1")).isEqualTo(repo.resolve("snapshots").resolve(COMMIT));
    assertThat(offline().resolve("org/tiny@" + COMMIT)).isEqualTo(repo.resolve("snapshots").resolve(COMMIT));
  }

  @Test
  void shardedSnapshotNeedsAllShards() throws IOException {
    blobLinked(COMMIT, "config.json", "c1", "{}");
    blobLinked(COMMIT, "model.safetensors.index.json", "i1",
        "{\"weight_map\":{\"a\":\"model-1.safetensors\",\"b\":\"model-2.safetensors\"}}");
    blobLinked(COMMIT, "model-1.safetensors", "s1", "x");
    ref("main", COMMIT);
    assertThatThrownBy(() -> offline().resolve("org/tiny"))
        .isInstanceOf(HubException.class)
        .hasMessageContaining("model-2.safetensors");
    blobLinked(COMMIT, "model-2.safetensors", "s2", "y");
    assertThat(offline().resolve("org/tiny")).isEqualTo(repo.resolve("snapshots").resolve(COMMIT));
  }

  @Test
  void offlineAndNotCachedNamesRepoCacheAndFix() {
    assertThatThrownBy(() -> offline().resolve("org/tiny"))
        .isInstanceOf(HubException.class)
        .hasMessageContaining("org/tiny")
        .hasMessageContaining(cache.toString())
        .hasMessageContaining("huggingface-cli download org/tiny")
        .hasMessageContaining("HF_HUB_OFFLINE");
  }

  @Test
  void offlineWithDanglingWeightsLinkIsIncomplete() throws IOException {
    completeSnapshot(COMMIT);
    ref("main", COMMIT);
    Files.delete(repo.resolve("blobs/w1"));
    assertThatThrownBy(() -> offline().resolve("org/tiny"))
        .isInstanceOf(HubException.class)
        .hasMessageContaining("lacks model.safetensors");
  }

  @Test
  void corruptRefFileIsReported() throws IOException {
    ref("main", "../../etc");
    assertThatThrownBy(() -> offline().resolve("org/tiny"))
        .isInstanceOf(HubException.class)
        .hasMessageContaining(repo.resolve("refs/main").toString());
  }

  @Test
  void localDirectoryResolvesToItself() throws IOException {
    Path model = Files.createDirectories(tmp.resolve("my-model"));
    Files.writeString(model.resolve("config.json"), "{}");
    assertThat(offline().resolve(model.toString())).isEqualTo(model.toAbsolutePath().normalize());
  }

  @Test
  void localDirectoryWithoutConfigIsAnError() throws IOException {
    Path model = Files.createDirectories(tmp.resolve("empty"));
    assertThatThrownBy(() -> offline().resolve(model.toString()))
        .isInstanceOf(HubException.class)
        .hasMessageContaining(model.toString())
        .hasMessageContaining("config.json");
  }

  @Test
  void missingLocalPathThatIsNoRepoId() {
    assertThatThrownBy(() -> offline().resolve(tmp.resolve("a/b/c").toString()))
        .isInstanceOf(HubException.class)
        .hasMessageContaining("no such local directory");
  }

  @Test
  void invalidRevisionIsRejected() {
    assertThatThrownBy(() -> offline().resolve("org/tiny@../../x"))
        .isInstanceOf(HubException.class)
        .hasMessageContaining("revision");
  }
}
