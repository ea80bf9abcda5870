package io.tfew.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tfew.core.checkpoint.Checkpoint;
import io.tfew.core.checkpoint.CheckpointException;
import io.tfew.core.checkpoint.FloatTensor;
import io.tfew.core.checkpoint.SafetensorsWriter;
import io.tfew.core.data.RankDataReader;
import io.tfew.core.runtime.LoadedModel;
import io.tfew.core.score.ChoiceScores;
import io.tfew.core.score.ExampleEncoder;
import io.tfew.core.testing.SharedFixtures;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

class T5WeightsTest {
  private static final Path FIXTURE = SharedFixtures.path("fixtures/t5-parity/t0-tiny");

  @Test
  void tiedEmbeddingsStoredOnlyAsEmbedTokensLoadLikeSharedWeight(@TempDir Path dir) throws Exception {
    for (String f : List.of("config.json", "tokenizer.json")) {
      Files.copy(FIXTURE.resolve(f), dir.resolve(f));
    }
    Map<String, FloatTensor> tensors = new TreeMap<>();
    try (Checkpoint c = Checkpoint.open(FIXTURE)) {
      for (String name : c.tensorNames()) {
        String renamed = name.equals("shared.weight") ? "encoder.embed_tokens.weight" : name;
        tensors.put(renamed, new FloatTensor(c.info(name).shape(), c.readFloats(name)));
      }
    }
    SafetensorsWriter.write(dir.resolve("model.safetensors"), tensors, Map.of());

    assertThat(score(dir)).usingRecursiveComparison().isEqualTo(score(FIXTURE));
  }

  @Test
  void f32AndBf16CheckpointsLoadIntoTheVariablesExactly(@TempDir Path dir) throws Exception {
    // The bf16 copy keeps each weight's top 16 bits; widening them back is exact, so both loads are compared
    // bit for bit with what the array reader returns.
    Map<String, float[]> f32 = new TreeMap<>();
    Map<String, long[]> shapes = new TreeMap<>();
    try (Checkpoint c = Checkpoint.open(FIXTURE)) {
      for (String name : c.tensorNames()) {
        f32.put(name, c.readFloats(name));
        shapes.put(name, c.info(name).shape());
      }
    }
    writeBf16(dir.resolve("model.safetensors"), f32, shapes);
    Map<String, float[]> bf16 = new TreeMap<>();
    f32.forEach((k, v) -> {
      float[] w = new float[v.length];
      for (int i = 0; i < v.length; i++) {
        w[i] = Float.intBitsToFloat(Float.floatToRawIntBits(v[i]) & 0xffff0000);
      }
      bf16.put(k, w);
    });
    T5Config config = T5Config.read(FIXTURE.resolve("config.json"));
    assertThat(loadedValues(FIXTURE, config)).containsExactlyInAnyOrderEntriesOf(subset(f32, config));
    assertThat(loadedValues(dir, config)).containsExactlyInAnyOrderEntriesOf(subset(bf16, config));
  }

  @Test
  void aFileTruncatedDuringTheLoadFailsWithTheReadersMessage(@TempDir Path dir) throws Exception {
    Files.copy(FIXTURE.resolve("config.json"), dir.resolve("config.json"));
    Path weights = Files.copy(FIXTURE.resolve("model.safetensors"), dir.resolve("model.safetensors"));
    T5Config config = T5Config.read(FIXTURE.resolve("config.json"));
    try (Graph g = new Graph()) {
      T5Weights declared = T5Weights.declare(Ops.create(g), config);
      try (Session session = new Session(g); Checkpoint c = Checkpoint.open(dir)) {
        try (FileChannel ch = FileChannel.open(weights, StandardOpenOption.WRITE)) {
          ch.truncate(ch.size() / 2);
        }
        assertThatThrownBy(() -> declared.load(session, c, n -> { }))
            .isInstanceOf(CheckpointException.class)
            .hasMessageContaining(weights.toString())
            .hasMessageContaining("truncated");
      }
    }
  }

  @Test
  void progressComesOnceTheLoadingRunIsBuiltThenAfterEachGroupUpToEveryValue() throws Exception {
    T5Config config = T5Config.read(FIXTURE.resolve("config.json"));
    long total = T5Weights.expectedShapes(config).values().stream()
        .mapToLong(s -> Arrays.stream(s).reduce(1, (a, b) -> a * b)).sum();
    List<Long> reports = new java.util.ArrayList<>();
    try (Graph g = new Graph()) {
      T5Weights weights = T5Weights.declare(Ops.create(g), config);
      try (Session session = new Session(g); Checkpoint c = Checkpoint.open(FIXTURE)) {
        weights.load(session, c, reports::add);
      }
    }
    // The first report comes before any weight is assigned (the run that builds the executor assigns nothing).
    assertThat(reports.get(0)).isZero();
    assertThat(reports.size()).isGreaterThan(2);
    assertThat(reports).isSorted();
    assertThat(reports.get(reports.size() - 1)).isEqualTo(total);
  }

  private static Map<String, float[]> subset(Map<String, float[]> all, T5Config config) {
    Map<String, float[]> out = new TreeMap<>();
    for (String key : T5Weights.expectedShapes(config).keySet()) {
      out.put(key, all.get(key));
    }
    return out;
  }

  private static Map<String, float[]> loadedValues(Path model, T5Config config) {
    Map<String, float[]> out = new TreeMap<>();
    try (Graph g = new Graph()) {
      T5Weights weights = T5Weights.declare(Ops.create(g), config);
      try (Session session = new Session(g); Checkpoint c = Checkpoint.open(model)) {
        weights.load(session, c, n -> { });
        for (String key : weights.shapes().keySet()) {
          try (Result r = session.runner().fetch(weights.get(key)).run()) {
            TFloat32 t = (TFloat32) r.get(0);
            float[] v = new float[Math.toIntExact(t.size())];
            t.asRawTensor().data().asFloats().read(v);
            out.put(key, v);
          }
        }
      }
    }
    return out;
  }

  private static void writeBf16(Path file, Map<String, float[]> values, Map<String, long[]> shapes)
      throws Exception {
    StringBuilder header = new StringBuilder("{");
    long offset = 0;
    for (Map.Entry<String, float[]> e : values.entrySet()) {
      long end = offset + 2L * e.getValue().length;
      header.append(header.length() > 1 ? "," : "").append('"').append(e.getKey()).append("\":{\"dtype\":\"BF16\",")
          .append("\"shape\":").append(Arrays.toString(shapes.get(e.getKey())).replace(" ", ""))
          .append(",\"data_offsets\":[").append(offset).append(',').append(end).append("]}");
      offset = end;
    }
    byte[] json = header.append('}').toString().getBytes(StandardCharsets.UTF_8);
    ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(8 + json.length + offset)).order(ByteOrder.LITTLE_ENDIAN);
    out.putLong(json.length).put(json);
    for (float[] v : values.values()) {
      for (float f : v) {
        out.putShort((short) (Float.floatToRawIntBits(f) >>> 16));
      }
    }
    Files.write(file, out.array());
  }

  private static List<ChoiceScores> score(Path model) throws Exception {
    try (LoadedModel loaded = LoadedModel.open(model, List.of(), List.of(LoadedModel.Program.SCORE), 256, 0L,
        m -> { })) {
      return loaded.scorer().score(ExampleEncoder.encodeAll(
          RankDataReader.read(FIXTURE.resolve("rank_inputs.jsonl")), loaded.tokenizer()), 4, n -> { });
    }
  }
}
