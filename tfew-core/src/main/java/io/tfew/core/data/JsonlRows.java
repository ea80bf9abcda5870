package io.tfew.core.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tfew.api.TfewException;
import io.tfew.core.files.InputFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiFunction;

/** JSON Lines plumbing shared by the jsonl readers: line numbers, UTF-8, plain Java values. */
final class JsonlRows {
  private JsonlRows() {}

  /** Parses each non-blank line of {@code file} as a JSON object and converts it with {@code row}. */
  static List<Map<String, Object>> read(
      Path file, BiFunction<Where, ObjectNode, Map<String, Object>> row) {
    List<Map<String, Object>> rows = new ArrayList<>();
    JsonlObjects.read(file, (line, object) -> rows.add(Collections.unmodifiableMap(row.apply(new Where(file, line), object))));
    if (rows.isEmpty()) {
      throw new TfewException(file + ": no rows; the file must hold one JSON object per line");
    }
    return List.copyOf(rows);
  }

  static void checkFile(Path file) {
    InputFile.regular(file, "check the data path");
  }

  /** Every field of {@code object} as plain Java values, in file order. */
  static Map<String, Object> plain(ObjectNode object) {
    Map<String, Object> row = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      row.put(e.getKey(), plain(e.getValue()));
    }
    return row;
  }

  /** JSON to Java: ints as Integer (Long when large), other numbers as Double. */
  static Object plain(JsonNode node) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (node.isTextual()) {
      return node.asText();
    }
    if (node.isBoolean()) {
      return node.booleanValue();
    }
    if (node.isIntegralNumber()) {
      return node.canConvertToInt() ? (Object) node.intValue() : (Object) node.longValue();
    }
    if (node.isNumber()) {
      return node.doubleValue();
    }
    if (node.isArray()) {
      List<Object> list = new ArrayList<>(node.size());
      node.forEach(n -> list.add(plain(n)));
      return Collections.unmodifiableList(list);
    }
    return Collections.unmodifiableMap(plain((ObjectNode) node));
  }

  static String kind(JsonNode node) {
    if (node == null) {
      return "nothing";
    }
    String text = node.toString();
    String shown = text.length() > 40 ? text.substring(0, 37) + "..." : text;
    return node.getNodeType().name().toLowerCase(Locale.ROOT) + " " + shown;
  }

  /** A required string field. */
  static String text(Where at, ObjectNode row, String field) {
    JsonNode node = row.get(field);
    if (node == null || node.isNull()) {
      throw at.error("field \"" + field + "\" is missing; add it as a string");
    }
    if (!node.isTextual()) {
      throw at.error("field \"" + field + "\" must be a string, got " + kind(node));
    }
    return node.asText();
  }

  /** A required integer field. */
  static int integer(Where at, ObjectNode row, String field) {
    JsonNode node = row.get(field);
    if (node == null || node.isNull()) {
      throw at.error("field \"" + field + "\" is missing; add it as an integer");
    }
    if (!node.isIntegralNumber() || !node.canConvertToInt()) {
      throw at.error("field \"" + field + "\" must be an integer, got " + kind(node));
    }
    return node.intValue();
  }
}
