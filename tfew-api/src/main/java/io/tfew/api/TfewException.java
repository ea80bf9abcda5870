package io.tfew.api;

/**
 * An error caused by the user's input (a file, a config key, a CLI argument) rather than by a bug.
 *
 * <p>The message is for people: it says what was wrong, where (file, line, key or tensor) and what to
 * do about it. The CLI prints it alone, without a stack trace, and exits with status 2.
 *
 * <pre>{@code
 * throw new TfewException("config.json: field 'd_model' is missing; add the model width, e.g. \"d_model\": 512");
 * }</pre>
 */
public class TfewException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public TfewException(String message) {
    super(message);
  }

  public TfewException(String message, Throwable cause) {
    super(message, cause);
  }
}
