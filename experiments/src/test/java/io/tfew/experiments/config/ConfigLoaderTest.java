package io.tfew.experiments.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tfew.api.config.ConfigException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  @TempDir
  Path tmp;

  private final ConfigLoader loader = new ConfigLoader();

  private Path write(String name, String... lines) throws IOException {
    Path p = tmp.resolve(name);
    Files.createDirectories(p.getParent());
    Files.writeString(p, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
    return p;
  }

  private ResolvedConfig load(Path file, String... sets) {
    return loader.load(file, Arrays.asList(sets));
  }

  @Test
  void anExtendsChainOfThreeFilesMergesMapsAndLaterFilesWin() throws IOException {
    Path base = write("base.yaml",
        "model: t0-3b",                        // 1
        "seed: 42",                            // 2
        "train:",                              // 3
        "  lr: 0.003",                         // 4
        "  steps: 1000",                       // 5
        "  batch_size: 8",                     // 6
        "eval:",                               // 7
        "  metrics: [accuracy, f1]",           // 8
        "  batch_size: 16");                   // 9
    Path mid = write("mid.yaml",
        "extends: base.yaml",                  // 1
        "train:",                              // 2
        "  lr: 0.001",                         // 3
        "eval:",                               // 4
        "  metrics: [accuracy]");              // 5
    Path exp = write("runs/exp.yaml",
        "extends: ../mid.yaml",                // 1
        "train:",                              // 2
        "  steps: 10",                         // 3
        "  warmup_ratio: 0.1",                 // 4
        "name: rte");                          // 5

    ResolvedConfig c = load(exp);

    Map<String, Object> train = new LinkedHashMap<>();
    train.put("lr", 0.001);
    train.put("steps", 10);
    train.put("batch_size", 8);
    train.put("warmup_ratio", 0.1);
    Map<String, Object> eval = new LinkedHashMap<>();
    eval.put("metrics", List.of("accuracy"));
    eval.put("batch_size", 16);
    Map<String, Object> expected = new LinkedHashMap<>();
    expected.put("model", "t0-3b");
    expected.put("seed", 42);
    expected.put("train", train);
    expected.put("eval", eval);
    expected.put("name", "rte");
    assertThat(c.tree()).isEqualTo(expected);
    // YAML order: parents' keys first, in their order; new keys after.
    assertThat(c.tree().keySet()).containsExactly("model", "seed", "train", "eval", "name");
    assertThat(((Map<?, ?>) c.get("train")).keySet().toString()).isEqualTo("[lr, steps, batch_size, warmup_ratio]");

    String baseName = base.toString();
    String midName = mid.toString();
    String expName = exp.toString();
    assertThat(c.origin("model")).isEqualTo(Origin.at(baseName, 1));
    assertThat(c.origin("train.lr")).isEqualTo(Origin.at(midName, 3));
    assertThat(c.origin("train.steps")).isEqualTo(Origin.at(expName, 3));
    assertThat(c.origin("train.batch_size")).isEqualTo(Origin.at(baseName, 6));
    assertThat(c.origin("train")).isEqualTo(Origin.at(expName, 2));
    assertThat(c.origin("eval.metrics")).isEqualTo(Origin.at(midName, 5));
    // The replaced list's elements come from the file that replaced it; f1's origin is gone.
    assertThat(c.origin("eval.metrics[0]")).isEqualTo(Origin.at(midName, 5));
    assertThat(c.origin("eval.metrics[1]")).isEqualTo(Origin.DEFAULT);
    assertThat(c.origin("out")).isEqualTo(Origin.DEFAULT);
    assertThat(c.contains("extends")).isFalse();
    assertThat(c.get("train.lr")).isEqualTo(0.001);
    assertThat(c.get("eval.metrics[0]")).isEqualTo("accuracy");
    assertThat(c.get("no.such.key")).isNull();
    assertThat(c.files()).containsExactly(base, tmp.resolve("runs/../mid.yaml").normalize(), exp);
    assertThat(c.source()).isEqualTo(expName);
    assertThat(c.locate("train.lr")).isEqualTo(midName + ":3: train.lr");
    assertThat(c.locate("data.train.path")).isEqualTo(expName + ": data.train.path");
  }

  @Test
  void aListOfParentsAppliesInOrderAndTheFileItselfWinsOverAll() throws IOException {
    write("a.yaml", "x: a", "y: a", "z: a");
    write("b.yaml", "y: b", "z: b");
    Path c = write("c.yaml", "extends: [a.yaml, b.yaml]", "z: c");

    assertThat(load(c).tree()).containsExactly(Map.entry("x", "a"), Map.entry("y", "b"), Map.entry("z", "c"));
  }

  @Test
  void severalNamedFilesComposeLeftToRight() throws IOException {
    Path a = write("a.yaml", "train: {lr: 0.1, steps: 5}");
    Path b = write("b.yaml", "train: {lr: 0.2}");

    ResolvedConfig c = loader.load(List.of(a, b), List.of());

    assertThat(c.get("train")).isEqualTo(Map.of("lr", 0.2, "steps", 5));
    assertThat(c.source()).isEqualTo(b.toString());
  }

  @Test
  void anExtendsCycleIsAnErrorNamingTheChain() throws IOException {
    Path a = write("a.yaml", "extends: b.yaml", "x: 1");
    Path b = write("b.yaml", "y: 2", "extends: [c.yaml]");
    Path c = write("c.yaml", "extends: a.yaml");

    assertThatThrownBy(() -> load(a))
        .isInstanceOf(ConfigException.class)
        .hasMessage(c + ":1: extends: cycle " + a + " -> " + b + " -> " + c + " -> " + a
            + "; a file may not extend itself, directly or through others: remove one of these extends");
  }

  @Test
  void aFileExtendingItselfIsACycle() throws IOException {
    Path a = write("a.yaml", "extends: ./a.yaml");

    assertThatThrownBy(() -> load(a)).hasMessageStartingWith(a + ":1: extends: cycle " + a + " -> " + a);
  }

  @Test
  void theSameParentTwiceWithoutACycleIsFine() throws IOException {
    write("base.yaml", "x: 1");
    write("left.yaml", "extends: base.yaml", "l: 1");
    write("right.yaml", "extends: base.yaml", "r: 1");
    Path top = write("top.yaml", "extends: [left.yaml, right.yaml]");

    assertThat(load(top).tree()).containsOnlyKeys("x", "l", "r");
  }

  @Test
  void aMissingParentIsAnErrorAtTheExtendsLine() throws IOException {
    Path a = write("a.yaml", "model: m", "extends:", "  - nope.yaml");

    assertThatThrownBy(() -> load(a))
        .hasMessageStartingWith(a + ":3: extends: no such file 'nope.yaml' (looked for " + tmp.resolve("nope.yaml"));
  }

  @Test
  void setOverridesAValueAndRecordsItsOrigin() throws IOException {
    Path a = write("a.yaml",
        "train:",
        "  lr: 0.003",
        "peft:",
        "  - method: ia3",
        "    init: 1.0",
        "eval:",
        "  metrics: [accuracy]");

    ResolvedConfig c = load(a, "train.lr=1e-4", "train.optimizer=adamw", "data.train.path=x.jsonl",
        "eval.metrics=[accuracy, f1]", "peft[0].init=2", "seed=7", "train.steps=", "name='007'");

    assertThat(c.get("train.lr")).isEqualTo(1e-4);
    assertThat(c.origin("train.lr")).isEqualTo(Origin.SET);
    assertThat(c.get("train.optimizer")).isEqualTo("adamw");
    assertThat(c.get("data")).isEqualTo(Map.of("train", Map.of("path", "x.jsonl")));
    assertThat(c.origin("data")).isEqualTo(Origin.SET);
    assertThat(c.origin("data.train.path")).isEqualTo(Origin.SET);
    assertThat(c.get("eval.metrics")).isEqualTo(List.of("accuracy", "f1"));
    assertThat(c.origin("eval.metrics[1]")).isEqualTo(Origin.SET);
    assertThat(c.get("peft[0]")).isEqualTo(Map.of("method", "ia3", "init", 2));
    assertThat(c.origin("peft[0].init")).isEqualTo(Origin.SET);
    assertThat(c.origin("peft[0].method")).isEqualTo(Origin.at(a.toString(), 4));
    assertThat(c.get("seed")).isEqualTo(7);
    assertThat(c.contains("train.steps")).isTrue();
    assertThat(c.get("train.steps")).isNull();
    assertThat(c.get("name")).isEqualTo("007");
    assertThat(c.locate("train.lr")).isEqualTo("--set train.lr");
  }

  @Test
  void setErrorsNameTheOverride() throws IOException {
    Path a = write("a.yaml", "train:", "  lr: 0.003", "peft: [{method: ia3}]");

    assertThatThrownBy(() -> load(a, "train.lr.x=1"))
        .hasMessage("--set train.lr.x: train.lr is '0.003' (from " + a + ":2), not a map, so it has no keys; "
            + "set train.lr itself instead");
    assertThatThrownBy(() -> load(a, "train.lr")).hasMessageStartingWith("--set train.lr: expected KEY=VALUE");
    assertThatThrownBy(() -> load(a, "train={lr: 1}")).hasMessageStartingWith("--set train: the value '{lr: 1}' is a map");
    assertThatThrownBy(() -> load(a, "peft[3].r=1")).hasMessageStartingWith("--set peft[3].r: peft has 1 element, so there is no [3]");
    assertThatThrownBy(() -> load(a, "train..lr=1")).hasMessageStartingWith("--set train..lr: 'train..lr' is not a key path");
    assertThatThrownBy(() -> load(a, "extends=b.yaml")).hasMessageStartingWith("--set extends: extends can only be written");
    assertThatThrownBy(() -> load(a, "x=!!java.io.File /etc"))
        .hasMessageStartingWith("--set x: the tag !!java.io.File is not allowed");
  }

  @Test
  void aPythonObjectTagIsRejectedWithItsLineAndKey() throws IOException {
    Path a = write("a.yaml", "model: m", "train:", "  lr: !!python/object:os.system ['rm -rf /']");

    assertThatThrownBy(() -> load(a))
        .isInstanceOf(ConfigException.class)
        .hasMessage(a + ":3: train.lr: the tag !!python/object:os.system is not allowed; configs hold only maps, "
            + "lists, strings, numbers, booleans and null: remove the tag");
  }

  @Test
  void aJavaClassTagIsRejectedAndNothingIsConstructed() throws IOException {
    Path a = write("a.yaml", "data:", "  train:", "    path: !!java.io.File {path: /etc/passwd}");

    assertThatThrownBy(() -> load(a)).hasMessageStartingWith(a + ":3: data.train.path: the tag !!java.io.File is not allowed");
  }

  @Test
  void localAndNonPlainCoreTagsAreRejected() throws IOException {
    Path local = write("local.yaml", "x: !thing 1");
    Path binary = write("binary.yaml", "x: !!binary aGVsbG8=");
    Path set = write("set.yaml", "x: !!set {a, b}");
    Path keyTag = write("key.yaml", "!!python/name:os.system x: 1");

    assertThatThrownBy(() -> load(local)).hasMessageStartingWith(local + ":1: x: the tag !thing is not allowed");
    assertThatThrownBy(() -> load(binary)).hasMessageStartingWith(binary + ":1: x: the tag !!binary is not allowed");
    assertThatThrownBy(() -> load(set)).hasMessageStartingWith(set + ":1: x: the tag !!set is not allowed");
    assertThatThrownBy(() -> load(keyTag)).hasMessageStartingWith(keyTag + ":1: (top level): the tag !!python/name:os.system");
  }

  @Test
  void aBillionLaughsAliasBombIsRejected() throws IOException {
    StringBuilder yaml = new StringBuilder("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    for (char c = 'b'; c <= 'i'; c++) {
      char p = (char) (c - 1);
      yaml.append(c).append(": &").append(c).append(" [");
      for (int i = 0; i < 9; i++) {
        yaml.append(i == 0 ? "" : ",").append('*').append(p);
      }
      yaml.append("]\n");
    }
    Path bomb = write("bomb.yaml", yaml.toString());

    assertThatThrownBy(() -> load(bomb))
        .isInstanceOf(ConfigException.class)
        .hasMessageContainingAll(bomb.toString(), "aliases", "max=50");
  }

  @Test
  void anAliasBombUnderTheAliasLimitIsRejectedByItsSize() throws IOException {
    // 25 levels of two aliases: 50 aliases, within the limit, but 2^25 values once expanded.
    StringBuilder yaml = new StringBuilder("l0: &l0 [x, x]\n");
    for (int i = 1; i <= 25; i++) {
      yaml.append("l").append(i).append(": &l").append(i).append(" [*l").append(i - 1).append(", *l")
          .append(i - 1).append("]\n");
    }
    Path bomb = write("bomb.yaml", yaml.toString());

    assertThatThrownBy(() -> load(bomb))
        .hasMessage(bomb + ": the config expands to more than 100000 values; aliases (*name) repeat whole maps "
            + "and lists, so check them");
  }

  @Test
  void aFewAliasesOfScalarsAndMapsAreFine() throws IOException {
    Path a = write("a.yaml", "lr: &lr 0.01", "train: {lr: *lr}", "base: &b {x: 1}", "copy: *b");

    ResolvedConfig c = load(a);

    assertThat(c.get("train.lr")).isEqualTo(0.01);
    assertThat(c.get("copy")).isEqualTo(Map.of("x", 1));
  }

  @Test
  void aRecursiveAliasIsRejected() throws IOException {
    Path a = write("a.yaml", "x: &x [1, *x]");

    assertThatThrownBy(() -> load(a)).hasMessageStartingWith(a + ":1: x[1]: an alias (*name) refers to a map or list that contains it");
  }

  @Test
  void duplicateKeysAreRejectedWithBothLines() throws IOException {
    Path a = write("a.yaml", "train:", "  lr: 0.1", "  steps: 3", "  lr: 0.2");

    assertThatThrownBy(() -> load(a))
        .hasMessage(a + ":4: train.lr: duplicate key (first at line 2); remove one of the two");
  }

  @Test
  void mergeKeysAreRejected() throws IOException {
    Path a = write("a.yaml", "base: &b {x: 1}", "train:", "  <<: *b", "  y: 2");

    assertThatThrownBy(() -> load(a)).hasMessageStartingWith(a + ":3: train.<<: merge keys (<<) are not supported");
  }

  @Test
  void keysWithPathCharactersAreRejected() throws IOException {
    Path a = write("a.yaml", "train:", "  a.b: 1");

    assertThatThrownBy(() -> load(a)).hasMessageStartingWith(a + ":2: train: the key 'a.b' is empty or contains '.'");
  }

  @Test
  void syntaxErrorsNameFileAndLine() throws IOException {
    Path a = write("a.yaml", "train:", "  lr: [1, 2", "seed: 3");

    assertThatThrownBy(() -> load(a)).hasMessageContaining(a + ":").hasMessageContaining("not valid YAML");
  }

  @Test
  void theTopLevelMustBeAMapAndAnEmptyFileIsEmpty() throws IOException {
    Path list = write("list.yaml", "- a", "- b");
    Path empty = write("empty.yaml", "# nothing yet");

    assertThatThrownBy(() -> load(list)).hasMessageStartingWith(list + ":1: the top level must be a map");
    assertThat(load(empty).tree()).isEmpty();
    assertThat(load(empty).toYaml()).isEqualTo("{}\n");
  }

  @Test
  void aMissingFileIsAnError() {
    Path nope = tmp.resolve("nope.yaml");

    assertThatThrownBy(() -> load(nope)).hasMessage(nope + ": no such config file");
  }

  @Test
  void toYamlRoundTripsTheResolvedTree() throws IOException {
    write("base.yaml",
        "model: bigscience/T0_3B",
        "train: {lr: 3.0e-3, steps: 1000, eval_before: true}",
        "peft:",
        "  - method: ia3",
        "    targets: ['.*k$', '.*v$']",
        "  - {method: lora, r: 4}",
        "losses: {lm: 1.0, unlikelihood: 1, length_norm: 0.5}");
    Path exp = write("exp.yaml",
        "extends: base.yaml",
        "name: \"1.0\"",
        "note: 'yes'",
        "empty: null",
        "big: 12345678901",
        "tiny: 1.0e-12",
        "text: \"line one\\nline two: with # and 'quotes'\"",
        "unicode: Zürich ✓",
        "date: 2024-01-02",
        "nested: {a: {b: {c: [1, [2, 3], {d: e}]}}}");

    ResolvedConfig c = load(exp, "train.lr=1e-4");
    Path resolved = write("out/config.resolved.yaml", c.toYaml());
    ResolvedConfig again = load(resolved);

    assertThat(again.tree()).isEqualTo(c.tree());
    assertThat(again.get("name")).isEqualTo("1.0");
    assertThat(again.get("note")).isEqualTo("yes");
    assertThat(again.get("big")).isEqualTo(12345678901L);
    assertThat(again.get("date")).isEqualTo("2024-01-02");
    assertThat(again.toYaml()).isEqualTo(c.toYaml());
    assertThat(c.toYaml()).startsWith("model: bigscience/T0_3B\ntrain:\n  lr: 1.0E-4\n");
  }

  @Test
  void theTreeIsUnmodifiable() throws IOException {
    ResolvedConfig c = load(write("a.yaml", "train: {lr: 1}", "l: [1]"));

    assertThatThrownBy(() -> c.tree().put("x", 1)).isInstanceOf(UnsupportedOperationException.class);
    @SuppressWarnings("unchecked")
    Map<String, Object> train = (Map<String, Object>) c.get("train");
    assertThatThrownBy(() -> train.put("x", 1)).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void oversizedDeeplyNestedAndNonUtf8FilesAreRejected() throws IOException {
    Path big = tmp.resolve("big.yaml");
    Files.writeString(big, ("#" + "a".repeat(1023) + "\n").repeat(ConfigLoader.CODE_POINT_LIMIT / 1024 + 1) + "x: 1\n",
        StandardCharsets.UTF_8);
    Path huge = tmp.resolve("huge.yaml");
    Files.writeString(huge, ("#" + "a".repeat(1023) + "\n").repeat(4 * ConfigLoader.CODE_POINT_LIMIT / 1024 + 1),
        StandardCharsets.UTF_8);
    Path deep = write("deep.yaml", "x: " + "[".repeat(60) + "]".repeat(60));
    Path latin1 = tmp.resolve("latin1.yaml");
    Files.write(latin1, "name: Z\u00fcrich\n".getBytes(StandardCharsets.ISO_8859_1));

    assertThatThrownBy(() -> load(big)).isInstanceOf(ConfigException.class).hasMessageStartingWith(big + ": ")
        .hasMessageContaining("code points");
    assertThatThrownBy(() -> load(huge)).hasMessageStartingWith(huge + ": the file has ").hasMessageEndingWith("is this a data file?");
    assertThatThrownBy(() -> load(deep)).isInstanceOf(ConfigException.class).hasMessageStartingWith(deep + ": ")
        .hasMessageContaining("Nesting Depth");
    assertThatThrownBy(() -> load(latin1)).hasMessage(latin1 + ": not UTF-8 text; save the file as UTF-8");
  }
}
