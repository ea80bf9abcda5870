package io.tfew.experiments.config;

import java.util.Objects;

/**
 * Where a resolved config value came from: a line of a YAML file, a {@code --set} override, or the
 * schema's default (the key appears nowhere).
 *
 * <p>Errors about a key start with {@link #prefix}, so a user can jump straight to the line that set
 * it, even when that line is in a file pulled in through {@code extends:}.
 *
 * @param kind which of the three sources
 * @param file the file as the user (or an {@code extends:} entry) named it; {@code null} unless {@link Kind#FILE}
 * @param line the 1-based line of the key (or list element); 0 unless {@link Kind#FILE}
 */
public record Origin(Kind kind, String file, int line) {

  /** The three places a value can come from. */
  public enum Kind { FILE, SET, DEFAULT }

  /** A value given on the command line with {@code --set}. */
  public static final Origin SET = new Origin(Kind.SET, null, 0);

  /** A value absent from every file and override. */
  public static final Origin DEFAULT = new Origin(Kind.DEFAULT, null, 0);

  public Origin {
    Objects.requireNonNull(kind, "kind");
    if (kind == Kind.FILE) {
      Objects.requireNonNull(file, "file");
      if (line < 1) {
        throw new IllegalArgumentException("line must be 1-based: " + line);
      }
    }
  }

  /** A key or element at 1-based {@code line} of {@code file}. */
  public static Origin at(String file, int line) {
    return new Origin(Kind.FILE, file, line);
  }

  /**
   * The start of an error message about {@code dottedKey}: {@code exp.yaml:12: train.lr} or
   * {@code --set train.lr}; for {@link Kind#DEFAULT} just the key, since there is no place to point at.
   */
  public String prefix(String dottedKey) {
    return switch (kind) {
      case FILE -> file + ":" + line + ": " + dottedKey;
      case SET -> "--set " + dottedKey;
      case DEFAULT -> dottedKey;
    };
  }

  /** {@code exp.yaml:12}, {@code --set} or {@code default}. */
  @Override
  public String toString() {
    return switch (kind) {
      case FILE -> file + ":" + line;
      case SET -> "--set";
      case DEFAULT -> "default";
    };
  }
}
