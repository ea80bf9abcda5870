package io.tfew.core.data;

import io.tfew.api.TfewException;
import io.tfew.core.files.Utf8Text;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * An RFC 4180 CSV file: a header record naming the columns, then data records.
 *
 * <p>Fields may be quoted; quoted fields may hold commas, CR/LF line breaks and doubled quotes
 * ({@code ""}). Records end at CRLF, LF or CR; a final line break is optional. Every record must
 * have as many fields as the header. Each record remembers the line it starts on, so errors can
 * point into the file even when earlier fields span several lines.
 */
final class CsvTable {
  /** One data record: its 1-based starting line and its fields. */
  record Record(int line, List<String> fields) {}

  private final Path file;
  private final List<String> header;
  private final List<Record> records;

  private CsvTable(Path file, List<String> header, List<Record> records) {
    this.file = file;
    this.header = header;
    this.records = records;
  }

  Path file() {
    return file;
  }

  List<String> header() {
    return header;
  }

  List<Record> records() {
    return records;
  }

  /** The column index of {@code name}; an error naming the file and the columns when absent. */
  int column(String name) {
    int i = header.indexOf(name);
    if (i < 0) {
      throw new TfewException(
          file + ":1: column \"" + name + "\" is missing from the header " + header
              + "; is this the right file?");
    }
    return i;
  }

  /** Reads and parses {@code file} as UTF-8 (malformed bytes are an error, not replaced). */
  static CsvTable read(Path file) {
    JsonlRows.checkFile(file);
    String text;
    try {
      text = Utf8Text.decode(file, Files.readAllBytes(file), 1);
    } catch (IOException e) {
      throw new TfewException("data file " + file + " cannot be read (" + e + ")", e);
    }
    return parse(file, text);
  }

  /** Parses CSV text; {@code file} is only used in messages. */
  static CsvTable parse(Path file, String text) {
    List<Record> all = new Parser(file, text).records();
    if (all.isEmpty()) {
      throw new TfewException(file + ": empty CSV; the first line must name the columns");
    }
    List<String> header = all.get(0).fields();
    Set<String> seen = new HashSet<>();
    for (String name : header) {
      if (!seen.add(name)) {
        throw new TfewException(
            file + ":1: column \"" + name + "\" appears twice in the header; rename one");
      }
    }
    List<Record> data = new ArrayList<>(all.size() - 1);
    for (Record r : all.subList(1, all.size())) {
      if (r.fields().size() == 1 && r.fields().get(0).isEmpty()) {
        continue; // a blank line
      }
      if (r.fields().size() != header.size()) {
        throw new TfewException(
            file + ":" + r.line() + ": record has " + r.fields().size() + " fields but the"
                + " header has " + header.size() + " " + header + "; quote fields that contain"
                + " commas or line breaks (\"a, b\") and double embedded quotes (\"\")");
      }
      data.add(r);
    }
    return new CsvTable(file, List.copyOf(header), List.copyOf(data));
  }

  /** A single pass over the text with a tiny state machine. */
  private static final class Parser {
    private final Path file;
    private final String s;
    private int pos;
    private int line = 1;

    Parser(Path file, String text) {
      this.file = file;
      this.s = text.startsWith("\uFEFF") ? text.substring(1) : text;
    }

    List<Record> records() {
      List<Record> out = new ArrayList<>();
      while (pos < s.length()) {
        int start = line;
        List<String> fields = new ArrayList<>();
        boolean endOfRecord = false;
        while (!endOfRecord) {
          fields.add(field());
          if (pos >= s.length()) {
            endOfRecord = true;
          } else {
            char c = s.charAt(pos);
            if (c == ',') {
              pos++;
            } else {
              lineBreak();
              endOfRecord = true;
            }
          }
        }
        out.add(new Record(start, List.copyOf(fields)));
      }
      return out;
    }

    private String field() {
      if (pos < s.length() && s.charAt(pos) == '"') {
        return quoted();
      }
      int begin = pos;
      while (pos < s.length()) {
        char c = s.charAt(pos);
        if (c == ',' || c == '\n' || c == '\r') {
          break;
        }
        if (c == '"') {
          throw new TfewException(
              file + ":" + line + ": a quote inside an unquoted field; quote the whole field"
                  + " and double the inner quote (\"say \"\"hi\"\"\")");
        }
        pos++;
      }
      return s.substring(begin, pos);
    }

    private String quoted() {
      int startLine = line;
      pos++; // opening quote
      StringBuilder b = new StringBuilder();
      while (true) {
        if (pos >= s.length()) {
          throw new TfewException(
              file + ":" + startLine + ": quoted field never closes; add the closing quote"
                  + " (and double any quote inside the field)");
        }
        char c = s.charAt(pos);
        if (c == '"') {
          if (pos + 1 < s.length() && s.charAt(pos + 1) == '"') {
            b.append('"');
            pos += 2;
            continue;
          }
          pos++; // closing quote
          if (pos < s.length() && ",\r\n".indexOf(s.charAt(pos)) < 0) {
            throw new TfewException(
                file + ":" + line + ": unexpected character after a closing quote; a quoted"
                    + " field must be followed by a comma or a line break (double quotes"
                    + " inside it: \"\")");
          }
          return b.toString();
        }
        if (c == '\r' || c == '\n') {
          // A line break inside quotes belongs to the field; count it for later messages.
          if (c == '\r' && pos + 1 < s.length() && s.charAt(pos + 1) == '\n') {
            b.append('\r');
            pos++;
            c = '\n';
          }
          line++;
        }
        b.append(c);
        pos++;
      }
    }

    private void lineBreak() {
      if (s.charAt(pos) == '\r' && pos + 1 < s.length() && s.charAt(pos + 1) == '\n') {
        pos++;
      }
      pos++;
      line++;
    }
  }
}
