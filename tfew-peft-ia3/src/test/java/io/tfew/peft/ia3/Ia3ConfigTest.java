package io.tfew.peft.ia3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tfew.api.TfewException;
import io.tfew.api.config.ConfigException;
import io.tfew.core.checkpoint.FloatTensor;
import io.tfew.core.checkpoint.SafetensorsWriter;
import io.tfew.core.model.SiteRewrites;
import io.tfew.core.model.T5Config;
import io.tfew.core.runtime.ModelGraph;
import io.tfew.core.score.RankScoringGraph;
import io.tfew.core.testing.ExpectedTensors;
import io.tfew.core.testing.SharedFixtures;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Options, their validation, PEFT config translation, and init files that do not fit the model. */
class Ia3ConfigTest {
  @TempDir
  Path tmp;

  @Test
  void providerIsDiscoveredWithPeftType() {
    Ia3Provider p = (Ia3Provider) Ia3TestKit.provider();
    assertThat(p.name()).isEqualTo("ia3");
    assertThat(p.peftType()).contains("IA3");
    assertThat(p.configFields()).extracting(f -> f.key()).containsExactly("target_modules", "feedforward", "init");
  }

  @Test
  void defaultsAreT_FewsPlacement() {
    Ia3Config c = Ia3Config.from(Ia3TestKit.section(Map.of()));
    assertThat(c).isEqualTo(Ia3Config.defaults());
    assertThat(c.targets("encoder.block.0.layer.0.SelfAttention.k")).isTrue();
    assertThat(c.targets("decoder.block.3.layer.1.EncDecAttention.v")).isTrue();
    assertThat(c.targets("decoder.block.3.layer.1.EncDecAttention.q")).isFalse();
    // Full match: a path that merely contains a match is not targeted.
    assertThat(c.targets("encoder.block.0.layer.0.SelfAttention.k.extra")).isFalse();
    assertThat(c.feedforward()).isTrue();
    assertThat(c.pretrained()).isFalse();
  }

  @Test
  void badOptionsAreConfigErrorsNamingTheKey() {
    assertThatThrownBy(() -> Ia3TestKit.create(Map.of("target_modules", List.of("(unclosed"))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("target_modules").hasMessageContaining("(unclosed");
    assertThatThrownBy(() -> Ia3TestKit.create(Map.of("target_modules", List.of(), "feedforward", false)))
        .isInstanceOf(ConfigException.class).hasMessageContaining("no vector would be trained");
    assertThatThrownBy(() -> Ia3TestKit.create(Map.of("rank", 4)))
        .isInstanceOf(ConfigException.class).hasMessageContaining("rank");
    assertThatThrownBy(() -> Ia3TestKit.create(Map.of("init", tmp.resolve("absent.pt").toString())))
        .isInstanceOf(TfewException.class).hasMessageContaining("absent.pt").hasMessageContaining("does not exist");
  }

  @Test
  void aDeviceAsInitFileIsNamedAsNotARegularFileNotAsMissing() {
    assertThatThrownBy(() -> Ia3TestKit.create(Map.of("init", "/dev/zero")))
        .isInstanceOf(TfewException.class)
        .hasMessageStartingWith("/dev/zero: (IA)^3 init file is not a regular file")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("does not exist"));
  }

  @Test
  void targetsMatchingNoSiteAreAnErrorNotASilentNoOp() {
    try (ModelGraph graph = tinyGraph(Ia3TestKit.create(Map.of("target_modules", List.of(".*\\.kk"),
        "feedforward", false)))) {
      assertThatThrownBy(() -> graph.rewrites().requireEveryMethodTouchedASite(graph.parameters()))
          .isInstanceOf(TfewException.class).hasMessageContaining("'ia3' matched no site");
    }
  }

  @Test
  void initFileWithExtraVectorsFailsNamingThem() {
    try (ExpectedTensors e = Ia3TestKit.expected("t0-tiny")) {
      Map<String, FloatTensor> tensors = fixtureTensors(e);
      tensors.put("base_model.model.decoder.block.7.layer.0.SelfAttention.k.ia3_l",
          new FloatTensor(new long[] {64, 1}, new float[64]));
      Path file = write(tensors, "extra.safetensors");
      try (ModelGraph graph = tinyGraph(Ia3TestKit.create(Map.of("init", file.toString())))) {
        // Core initialises after every site declared its vector; that is when leftovers are known.
        assertThatThrownBy(graph::startSession).isInstanceOf(TfewException.class)
            .hasMessageContaining("extra.safetensors")
            .hasMessageContaining("decoder.block.7.layer.0.SelfAttention.k")
            .hasMessageContaining("match no (IA)^3 site");
      }
    }
  }

  @Test
  void initFileMissingASiteFailsNamingIt() {
    try (ExpectedTensors e = Ia3TestKit.expected("t0-tiny")) {
      Map<String, FloatTensor> tensors = fixtureTensors(e);
      tensors.remove("base_model.model.decoder.block.1.layer.1.EncDecAttention.v.ia3_l");
      Path file = write(tensors, "missing.safetensors");
      assertThatThrownBy(() -> tinyGraph(Ia3TestKit.create(Map.of("init", file.toString())))).isInstanceOf(TfewException.class)
          .hasMessageContaining("missing.safetensors")
          .hasMessageContaining("no (IA)^3 vector for site decoder.block.1.layer.1.EncDecAttention.v");
    }
  }

  @Test
  void initFileWithWrongLengthOrNonVectorFails() {
    try (ExpectedTensors e = Ia3TestKit.expected("t0-tiny")) {
      Map<String, FloatTensor> tensors = fixtureTensors(e);
      tensors.put("base_model.model.encoder.block.0.layer.0.SelfAttention.k.ia3_l",
          new FloatTensor(new long[] {32, 1}, new float[32]));
      Path shortOne = write(tensors, "short.safetensors");
      assertThatThrownBy(() -> tinyGraph(Ia3TestKit.create(Map.of("init", shortOne.toString()))))
          .isInstanceOf(TfewException.class).hasMessageContaining("[32, 1]").hasMessageContaining("needs 64 values");

      tensors.put("base_model.model.encoder.block.0.layer.0.SelfAttention.k.ia3_l",
          new FloatTensor(new long[] {8, 8}, new float[64]));
      Path matrix = write(tensors, "matrix.safetensors");
      assertThatThrownBy(() -> PretrainedIa3.read(matrix))
          .isInstanceOf(TfewException.class).hasMessageContaining("[8, 8]");

      Path lora = write(Map.of("base_model.model.encoder.block.0.layer.0.SelfAttention.q.lora_A.weight",
          new FloatTensor(new long[] {4, 64}, new float[256])), "lora.safetensors");
      assertThatThrownBy(() -> PretrainedIa3.read(lora))
          .isInstanceOf(TfewException.class).hasMessageContaining("lora_A.weight")
          .hasMessageContaining("is not an (IA)^3 vector");
    }
  }

  @Test
  void configFromPeftTranslatesT_FewsPlacement() {
    Map<String, Object> peft = new LinkedHashMap<>();
    peft.put("peft_type", "IA3");
    peft.put("target_modules", List.of("k", "v", "wi_1"));
    peft.put("feedforward_modules", List.of());
    Map<String, Object> tfew = Ia3TestKit.provider().configFromPeft(peft);
    assertThat(tfew).containsEntry("feedforward", false).containsEntry("init", "ones");
    Ia3Config c = Ia3Config.from(Ia3TestKit.section(tfew));
    assertThat(c.targets("decoder.block.0.layer.1.EncDecAttention.k")).isTrue();
    assertThat(c.targets("encoder.block.0.layer.1.DenseReluDense.wi_1")).isTrue();
    assertThat(c.targets("encoder.block.0.layer.1.DenseReluDense.wi_0")).isFalse();
    assertThat(c.targets("encoder.block.0.layer.0.SelfAttention.q")).isFalse();
  }

  @Test
  void configFromPeftTranslatesPeftsT5DefaultAndRegexTargets() {
    Map<String, Object> nulls = new LinkedHashMap<>();
    nulls.put("target_modules", null);
    nulls.put("feedforward_modules", null);
    Ia3Config def = Ia3Config.from(Ia3TestKit.section(Ia3TestKit.provider().configFromPeft(nulls)));
    assertThat(def.feedforward()).isTrue();
    assertThat(def.targets("decoder.block.0.layer.0.SelfAttention.v")).isTrue();

    Map<String, Object> listed = Map.of("target_modules", List.of("k", "v", "wo"), "feedforward_modules", List.of("wo"));
    Ia3Config kvwo = Ia3Config.from(Ia3TestKit.section(Ia3TestKit.provider().configFromPeft(listed)));
    assertThat(kvwo.feedforward()).isTrue();
    assertThat(kvwo.targets("encoder.block.0.layer.1.DenseReluDense.wo")).isFalse();

    String regex = ".*(SelfAttention|EncDecAttention)\\.(k|v)|.*DenseReluDense\\.wi_1";
    Map<String, Object> rx = new LinkedHashMap<>();
    rx.put("target_modules", regex);
    rx.put("feedforward_modules", List.of());
    Map<String, Object> tfew = Ia3TestKit.provider().configFromPeft(rx);
    assertThat(tfew).containsEntry("target_modules", List.of(regex)).containsEntry("feedforward", false);

    assertThatThrownBy(() -> Ia3TestKit.provider().configFromPeft(
        Map.of("target_modules", List.of("k", "wi_1"), "feedforward_modules", List.of("wi_1"))))
        .isInstanceOf(TfewException.class).hasMessageContaining("wi_1").hasMessageContaining("input of wo only");
  }

  @Test
  void peftEscapingIsValidForJavaAndPython() {
    assertThat(Ia3Provider.escape("wi_1")).isEqualTo("wi_1");
    assertThat(Ia3Provider.escape("layer.0.k")).isEqualTo("layer\\.0\\.k");
    assertThat(Pattern.matches("(.*\\.)?" + Ia3Provider.escape("0.k"), "encoder.block.layer.0.k")).isTrue();
  }

  private static ModelGraph tinyGraph(io.tfew.api.peft.PeftMethod method) {
    T5Config config = T5Config.read(SharedFixtures.path("fixtures/t5-parity/t0-tiny/config.json"));
    ModelGraph graph = new ModelGraph(config, new SiteRewrites(List.of(new SiteRewrites.Active("ia3", method))),
        false, 1, 0L);
    try {
      RankScoringGraph.build(graph.ops(), graph.model());
    } catch (RuntimeException e) {
      graph.close();
      throw e;
    }
    return graph;
  }

  private static Map<String, FloatTensor> fixtureTensors(ExpectedTensors e) {
    Map<String, FloatTensor> tensors = new TreeMap<>();
    for (String module : Ia3TestKit.ia3Modules(e)) {
      float[] v = e.floats("ia3." + module);
      tensors.put("base_model.model." + module + ".ia3_l", new FloatTensor(new long[] {v.length, 1}, v));
    }
    return tensors;
  }

  private Path write(Map<String, FloatTensor> tensors, String name) {
    Path file = tmp.resolve(name);
    SafetensorsWriter.write(file, tensors, Map.of("format", "pt"));
    return file;
  }
}
