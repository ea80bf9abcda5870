package io.tfew.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tfew.api.TfewException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonlWriterTest {
  @TempDir Path dir;

  private List<Path> files() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.toList();
    }
  }

  @Test
  void commitWritesRowsAndLeavesNoTempFile() throws IOException {
    Path target = dir.resolve("out.jsonl");
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("input", "line\nbreak ✓");
    row.put("choices", List.of("a", "b"));
    row.put("label", 1);
    ObjectNode node = new ObjectMapper().createObjectNode().put("score", 0.5);
    try (JsonlWriter out = JsonlWriter.open(target)) {
      out.write(row);
      out.write(node);
      out.commit();
    }
    assertThat(Files.readAllLines(target, StandardCharsets.UTF_8))
        .containsExactly(
            "{\"input\":\"line\\nbreak ✓\",\"choices\":[\"a\",\"b\"],\"label\":1}",
            "{\"score\":0.5}");
    assertThat(files()).containsExactly(target);
  }

  @Test
  void committedRowsReadBackAsRankData() {
    Path target = dir.resolve("data.jsonl");
    try (JsonlWriter out = JsonlWriter.open(target)) {
      out.write(Map.of("input", "q", "choices", List.of("a", "b"), "label", 1));
      out.commit();
    }
    assertThat(RankDataReader.read(target)).singleElement().satisfies(r -> {
      assertThat(r.label()).hasValue(1);
    });
  }

  @Test
  void commitReplacesExistingTarget() throws IOException {
    Path target = dir.resolve("out.jsonl");
    Files.writeString(target, "old\n");
    try (JsonlWriter out = JsonlWriter.open(target)) {
      out.write(Map.of("n", 1));
      out.commit();
    }
    assertThat(Files.readString(target)).isEqualTo("{\"n\":1}\n");
  }

  @Test
  void closeWithoutCommitKeepsOldTargetAndRemovesTemp() throws IOException {
    Path target = dir.resolve("out.jsonl");
    Files.writeString(target, "old\n");
    try (JsonlWriter out = JsonlWriter.open(target)) {
      out.write(Map.of("n", 1));
      assertThat(files()).hasSize(2);
    }
    assertThat(Files.readString(target)).isEqualTo("old\n");
    assertThat(files()).containsExactly(target);
  }

  @Test
  void closeWithoutCommitCreatesNothing() throws IOException {
    Path target = dir.resolve("out.jsonl");
    try (JsonlWriter out = JsonlWriter.open(target)) {
      out.write(Map.of("n", 1));
    }
    assertThat(files()).isEmpty();
  }

  @Test
  void exceptionBeforeCommitLeavesOldTarget() throws IOException {
    Path target = dir.resolve("out.jsonl");
    Files.writeString(target, "old\n");
    assertThatThrownBy(
            () -> {
              try (JsonlWriter out = JsonlWriter.open(target)) {
                out.write(Map.of("n", 1));
                throw new IllegalStateException("boom");
              }
            })
        .hasMessage("boom");
    assertThat(Files.readString(target)).isEqualTo("old\n");
    assertThat(files()).containsExactly(target);
  }

  @Test
  void writeAfterCommitIsRejected() {
    JsonlWriter out = JsonlWriter.open(dir.resolve("out.jsonl"));
    out.commit();
    assertThatThrownBy(() -> out.write(Map.of("n", 1))).isInstanceOf(IllegalStateException.class);
    out.close();
  }

  @Test
  void missingDirectoryIsNamed() {
    Path target = dir.resolve("nope/out.jsonl");
    assertThatThrownBy(() -> JsonlWriter.open(target))
        .isInstanceOf(TfewException.class)
        .hasMessageContaining(target.toString())
        .hasMessageContaining("does not exist");
  }
}
