package io.tfew.core.files;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * What a path names, without following a final symbolic link, in words fit for an error message
 * ("a FIFO", "a character device"). Messages say what a path is instead of "does not exist" or, worse,
 * quoting bytes read from it.
 */
public enum FileKind {
  ABSENT("nothing (no such file)"),
  REGULAR("a regular file"),
  DIRECTORY("a directory"),
  SYMBOLIC_LINK("a symbolic link"),
  FIFO("a FIFO (named pipe)"),
  CHARACTER_DEVICE("a character device"),
  BLOCK_DEVICE("a block device"),
  SOCKET("a socket"),
  OTHER("not a regular file");

  // st_mode's file type bits (S_IFMT and its values), the same on every Unix the JDK's "unix:mode" serves.
  private static final int S_IFMT = 0170000;
  private static final int S_IFIFO = 0010000;
  private static final int S_IFCHR = 0020000;
  private static final int S_IFBLK = 0060000;
  private static final int S_IFSOCK = 0140000;

  private final String words;

  FileKind(String words) {
    this.words = words;
  }

  /** "a FIFO (named pipe)", "a directory", ... */
  public String words() {
    return words;
  }

  /** The kind of {@code path} itself: a symbolic link is {@link #SYMBOLIC_LINK}, whatever it points at. */
  public static FileKind of(Path path) {
    BasicFileAttributes attributes;
    try {
      attributes = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (IOException e) {
      return ABSENT;
    }
    if (attributes.isSymbolicLink()) {
      return SYMBOLIC_LINK;
    }
    if (attributes.isRegularFile()) {
      return REGULAR;
    }
    if (attributes.isDirectory()) {
      return DIRECTORY;
    }
    try {
      int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
      return switch (mode & S_IFMT) {
        case S_IFIFO -> FIFO;
        case S_IFCHR -> CHARACTER_DEVICE;
        case S_IFBLK -> BLOCK_DEVICE;
        case S_IFSOCK -> SOCKET;
        default -> OTHER;
      };
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException | ClassCastException e) {
      // Not a Unix file system view: "not a regular file" is all that can be said.
      return OTHER;
    }
  }

  /** The kind of what {@code path} finally names, following symbolic links. */
  public static FileKind followed(Path path) {
    try {
      return of(path.toRealPath());
    } catch (IOException e) {
      return ABSENT;
    }
  }
}
