package io.tfew.core.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tfew.core.checkpoint.Checkpoint;
import io.tfew.core.checkpoint.FloatTensor;
import io.tfew.core.checkpoint.SafetensorsWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Downloads from a loopback fake hub into a temporary cache. */
class ModelLocatorDownloadTest {
  @TempDir Path tmp;
  Path cache;
  Path repo;
  FakeHub hub;
  byte[] weights;
  static final byte[] CONFIG = "{\"d_model\":4}".getBytes(StandardCharsets.UTF_8);

  @BeforeEach
  void setUp() throws IOException {
    cache = tmp.resolve("hub");
    repo = cache.resolve("models--org--tiny");
    hub = new FakeHub();
    weights = safetensors(Map.of("w", new FloatTensor(new long[] {300}, filled(300, 0.5f))));
  }

  @AfterEach
  void tearDown() {
    hub.close();
  }

  private byte[] safetensors(Map<String, FloatTensor> tensors) throws IOException {
    Path f = tmp.resolve("src-" + System.nanoTime() + ".safetensors");
    SafetensorsWriter.write(f, tensors, null);
    byte[] b = Files.readAllBytes(f);
    Files.delete(f);
    return b;
  }

  private static float[] filled(int n, float v) {
    float[] a = new float[n];
    Arrays.fill(a, v);
    return a;
  }

  private ModelLocator locator(boolean offline, Optional<String> token) {
    return new ModelLocator(new HubSettings(cache, hub.endpoint(), offline, token),
        Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofMillis(1));
  }

  private ModelLocator online() {
    return locator(false, Optional.empty());
  }

  private Path snapshot() {
    return repo.resolve("snapshots").resolve(FakeHub.COMMIT);
  }

  @Test
  void downloadsIntoCacheLayoutAndReusesIt() throws IOException {
    hub.addSmall("config.json", CONFIG);
    hub.addLfs("model.safetensors", weights);
    String sha = FakeHub.sha256(weights);

    Path dir = online().resolve("org/tiny");

    assertThat(dir).isEqualTo(snapshot());
    assertThat(Files.readString(repo.resolve("refs/main"))).isEqualTo(FakeHub.COMMIT);
    Path weightsLink = dir.resolve("model.safetensors");
    assertThat(Files.isSymbolicLink(weightsLink)).isTrue();
    assertThat(Files.readSymbolicLink(weightsLink)).isEqualTo(Path.of("../../blobs").resolve(sha));
    assertThat(Files.readAllBytes(repo.resolve("blobs").resolve(sha))).isEqualTo(weights);
    assertThat(Files.readAllBytes(dir.resolve("config.json"))).isEqualTo(CONFIG);
    assertThat(repo.resolve(".no_exist").resolve(FakeHub.COMMIT).resolve("tokenizer.json")).exists();
    assertThat(hub.requests).anyMatch(r -> r.path().equals("/org/tiny/resolve/main/config.json"));
    try (Checkpoint c = Checkpoint.open(dir)) {
      assertThat(c.readFloats("w")).hasSize(300).containsOnly(0.5f);
    }
    try (Stream<Path> s = Files.list(repo.resolve("blobs"))) {
      assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".incomplete"));
    }

    int before = hub.requests.size();
    assertThat(online().resolve("org/tiny")).isEqualTo(dir);
    assertThat(locator(true, Optional.empty()).resolve("org/tiny")).isEqualTo(dir);
    assertThat(hub.requests).hasSize(before);
  }

  @Test
  void downloadsTokenizerWhenPresent() {
    hub.addSmall("config.json", CONFIG);
    hub.addLfs("model.safetensors", weights);
    hub.addSmall("tokenizer.json", "{\"model\":{}}".getBytes(StandardCharsets.UTF_8));
    Path dir = online().resolve("org/tiny");
    assertThat(dir.resolve("tokenizer.json")).hasContent("{\"model\":{}}");
  }

  @Test
  void resumesPartialBlobWithRangeRequest() throws IOException {
    hub.addSmall("config.json", CONFIG);
    hub.addLfs("model.safetensors", weights);
    String sha = FakeHub.sha256(weights);
    Path partial = repo.resolve("blobs").resolve(sha + ".incomplete");
    Files.createDirectories(partial.getParent());
    Files.write(partial, Arrays.copyOf(weights, 500));

    Path dir = online().resolve("org/tiny");

    assertThat(hub.gets()).filteredOn(r -> r.path().endsWith("/model.safetensors"))
        .singleElement().extracting(FakeHub.Request::range).isEqualTo("bytes=500-");
    assertThat(Files.readAllBytes(dir.resolve("model.safetensors"))).isEqualTo(weights);
    assertThat(partial).doesNotExist();
  }

  @Test
  void restartsWhenServerIgnoresRange() throws IOException {
    hub.addSmall("config.json", CONFIG);
    hub.addLfs("model.safetensors", weights);
    hub.ignoreRange = true;
    Path partial = repo.resolve("blobs").resolve(FakeHub.sha256(weights) + ".incomplete");
    Files.createDirectories(partial.getParent());
    Files.write(partial, Arrays.copyOf(weights, 500));

    Path dir = online().resolve("org/tiny");

    assertThat(Files.readAllBytes(dir.resolve("model.safetensors"))).isEqualTo(weights);
  }

  @Test
  void checksumMismatchFailsAndCreatesNoSnapshotFile() throws IOException {
    hub.addSmall("config.json", CONFIG);
    String wrong = "f".repeat(64);
    hub.addLfsWithWrongSha("model.safetensors", weights, wrong);

    assertThatThrownBy(() -> online().resolve("org/tiny"))
        .isInstanceOf(HubException.class)
        .hasMessageContaining("checksum mismatch")
        .hasMessageContaining(wrong)
        .hasMessageContaining(FakeHub.sha256(weights));

    assertThat(snapshot().resolve("model.safetensors")).doesNotExist();
    assertThat(repo.resolve("blobs").resolve(wrong)).doesNotExist();
    assertThat(repo.resolve("blobs").resolve(wrong + ".incomplete")).doesNotExist();
    assertThat(repo.resolve("refs/main")).doesNotExist();
  }

  @Test
  void shardedDownload() throws IOException {
    byte[] shard1 = safetensors(Map.of("a", new FloatTensor(new long[] {2}, new float[] {1, 2})));
    byte[] shard2 = safetensors(Map.of("b", new FloatTensor(new long[] {1}, new float[] {3})));
    hub.addSmall("config.json", CONFIG);
    hub.addSmall("model.safetensors.index.json", ("{\"metadata\":{},\"weight_map\":{"
        + "\"a\":\"model-00001-of-00002.safetensors\",\"b\":\"model-00002-of-00002.safetensors\"}}")
        .getBytes(StandardCharsets.UTF_8));
    hub.addLfs("model-00001-of-00002.safetensors", shard1);
    hub.addLfs("model-00002-of-00002.safetensors", shard2);

    Path dir = online().resolve("org/tiny");

    try (Checkpoint c = Checkpoint.open(dir)) {
      assertThat(c.readFloats("a")).containsExactly(1, 2);
      assertThat(c.readFloats("b")).containsExactly(3);
    }
    // After config.json the download is pinned to the commit the hub reported.
    assertThat(hub.requests).anyMatch(
        r -> r.path().equals("/org/tiny/resolve/" + FakeHub.COMMIT + "/model-00002-of-00002.safetensors"));
    assertThat(hub.requests).noneMatch(r -> r.path().endsWith("/model.safetensors"));
  }

  @Test
  void shardIndexWithTraversalIsRejected() {
    hub.addSmall("config.json", CONFIG);
    hub.addSmall("model.safetensors.index.json",
        "{\"weight_map\":{\"a\":\"../../../evil\"}}".getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> online().resolve("org/tiny"))
        .hasMessageContaining("../../../evil")
        .hasMessageContaining("not a plain file name");
  }

  @Test
  void missingWeightsUpstream() {
    hub.addSmall("config.json", CONFIG);
    assertThatThrownBy(() -> online().resolve("org/tiny"))
        .isInstanceOf(HubException.class)
        .hasMessageContaining("org/tiny has no model.safetensors");
  }

  @Test
  void unauthorizedMentionsToken() {
    hub.forcedStatus = 401;
    assertThatThrownBy(() -> online().resolve("org/tiny"))
        .isInstanceOf(HubException.class)
        .hasMessageContaining("HTTP 401")
        .hasMessageContaining("HF_TOKEN");
  }

  @Test
  void sendsBearerToken() {
    hub.addSmall("config.json", CONFIG);
    hub.addLfs("model.safetensors", weights);
    locator(false, Optional.of("hf_secret")).resolve("org/tiny");
    assertThat(hub.requests).allMatch(r -> "Bearer hf_secret".equals(r.authorization()));
  }

  @Test
  void transientServerErrorsAreRetried() throws IOException {
    hub.addSmall("config.json", CONFIG);
    hub.addLfs("model.safetensors", weights);
    hub.failingGets.set(2);
    Path dir = online().resolve("org/tiny");
    assertThat(Files.readAllBytes(dir.resolve("model.safetensors"))).isEqualTo(weights);
  }

  @Test
  void persistentServerErrorsGiveUpAfterBoundedAttempts() {
    hub.addSmall("config.json", CONFIG);
    hub.addLfs("model.safetensors", weights);
    hub.failingGets.set(1000);
    assertThatThrownBy(() -> online().resolve("org/tiny"))
        .isInstanceOf(HubException.class)
        .hasMessageContaining("after " + BlobDownloader.MAX_ATTEMPTS + " attempts")
        .hasMessageContaining("HTTP 503");
    assertThat(hub.gets()).hasSize(BlobDownloader.MAX_ATTEMPTS);
    assertThat(snapshot().resolve("config.json")).doesNotExist();
  }

  @Test
  void unreachableEndpoint() {
    ModelLocator l = new ModelLocator(new HubSettings(cache, java.net.URI.create("http://127.0.0.1:1"), false,
        Optional.empty()), Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofMillis(1));
    assertThatThrownBy(() -> l.resolve("org/tiny"))
        .isInstanceOf(HubException.class)
        .hasMessageContaining("127.0.0.1:1")
        .hasMessageContaining("org/tiny");
  }
}
