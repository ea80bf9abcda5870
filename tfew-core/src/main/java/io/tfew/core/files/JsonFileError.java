package io.tfew.core.files;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import java.io.IOException;

/**
 * Says what is wrong with a JSON file without quoting it. Jackson's messages quote the offending token
 * ("Unrecognized token 'root'"), so a path that leads to some other file (a link to a password file,
 * say) would have its first bytes printed; tfew's messages give the place instead.
 *
 * <pre>{@code
 * } catch (IOException e) {
 *   throw new TfewException(file + ": " + JsonFileError.describe(e) + "; restore the file");
 * }
 * }</pre>
 */
public final class JsonFileError {
  private JsonFileError() {}

  /** "not valid JSON at line 3, column 7", "empty", ... for an error met while reading JSON. */
  public static String describe(IOException e) {
    if (!(e instanceof JsonProcessingException j)) {
      return "cannot be read (" + e.getClass().getSimpleName() + ")";
    }
    String original = j.getOriginalMessage() == null ? "" : j.getOriginalMessage();
    JsonLocation at = j.getLocation();
    String where = at == null || at.getLineNr() < 1 ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
    if (original.startsWith("No content to map")) {
      return "is empty";
    }
    if (original.startsWith("Duplicate field '")) {
      // The file parsed as JSON up to here, so naming the repeated key quotes a key, not foreign bytes.
      int end = original.indexOf('\'', "Duplicate field '".length());
      String field = end < 0 ? original : original.substring(0, end + 1);
      return "repeats a key (" + field + ")" + where + "; each key may appear once";
    }
    if (j instanceof MismatchedInputException) {
      return "does not have the expected JSON structure" + where;
    }
    if (original.contains("UTF-8") || original.contains("UTF8")) {
      return "is not UTF-8 text" + where;
    }
    return "is not valid JSON" + where;
  }
}
