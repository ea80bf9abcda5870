package io.tfew.core.files;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonFileErrorTest {
  private static String describe(String text) {
    try {
      new ObjectMapper().readValue(text, Map.class);
    } catch (IOException e) {
      return JsonFileError.describe(e);
    }
    throw new AssertionError("parsed: " + text);
  }

  @Test
  void aFileOfAnotherFormatIsNotQuoted() {
    String message = describe("root:x:0:0:root:/root:/bin/bash\n");
    assertThat(message).isEqualTo("is not valid JSON at line 1, column 5").doesNotContain("root");
  }

  @Test
  void anEmptyFileAndTheWrongStructureAreNamed() {
    assertThat(describe("")).isEqualTo("is empty");
    assertThat(describe("[1, 2]")).startsWith("does not have the expected JSON structure at line 1");
  }

  @Test
  void aRepeatedKeyIsNamedWhenDuplicatesAreRefused() {
    ObjectMapper strict = new ObjectMapper();
    strict.getFactory().enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    try {
      strict.readValue("{\"r\": 8,\n \"r\": 4}", Map.class);
      throw new AssertionError("parsed a repeated key");
    } catch (IOException e) {
      assertThat(JsonFileError.describe(e))
          .isEqualTo("repeats a key (Duplicate field 'r') at line 2, column 5; each key may appear once");
    }
  }
}
