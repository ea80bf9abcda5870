package io.tfew.core.files;

import io.tfew.api.TfewException;
import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The one way tfew writes a file: the bytes go to a hidden temporary sibling, are synced, and the
 * temporary is renamed onto the target, so readers see the old file or the new one, never half of one.
 *
 * <p>What the rename would get wrong is checked first. Only a regular file (or nothing) is replaced: a
 * rename onto {@code /dev/null}, a FIFO or a symbolic link would silently swap that object for a regular
 * file (as root, {@code --out /dev/null} would destroy the device), so such a target is refused with
 * a message naming it and what it is. A replaced file keeps its permissions (and, where the process may
 * set them, its owner and group); a new file gets the mode the umask gives, like any other program's.
 *
 * <p>Temporaries are named {@code .NAME.tfew-HOST-PID-RANDOM.tmp}, so that one a killed writer left
 * behind can be recognised as tfew's and as stale (its process is gone) and removed by the next write
 * of the same target or by {@link #removeStaleTemporaries}.
 *
 * <pre>{@code
 * AtomicFile.write(out.resolve("provenance.json"), stream -> json.writeValue(stream, record));
 *
 * try (AtomicFile.Pending file = AtomicFile.open(out.resolve("predictions.jsonl"))) {
 *   file.stream().write(bytes);
 *   file.commit();  // without it, close() discards the temporary and leaves the target as it was
 * }
 * }</pre>
 */
public final class AtomicFile {
  /** Writes a file's bytes; the stream must not be closed (closing it only flushes). */
  @FunctionalInterface
  public interface Content {
    void writeTo(OutputStream out) throws IOException;
  }

  // A temporary from another host cannot be checked for a live owner; a day is far longer than any write.
  private static final Duration FOREIGN_STALE_AFTER = Duration.ofDays(1);
  private static final String HOST = hostTag();
  private static final Pattern TEMPORARY = Pattern.compile("\\.(.+)\\.tfew-([0-9a-f]{8})-([0-9]+)-[0-9a-f]{12}\\.tmp");

  private AtomicFile() {}

  /** Writes {@code content} to {@code target}, replacing it atomically; returns {@code target}. */
  public static Path write(Path target, Content content) {
    try (Pending pending = open(target)) {
      OutputStream out = pending.stream();
      try {
        content.writeTo(out);
        out.flush();
      } catch (IOException e) {
        throw pending.failure(e);
      }
      pending.commit();
    }
    return target;
  }

  /** Writes {@code text} as UTF-8 to {@code target}, replacing it atomically; returns {@code target}. */
  public static Path writeString(Path target, String text) {
    return write(target, out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
  }

  /**
   * Starts writing towards {@code target}, whose directory must exist: checks that the target may be
   * replaced, removes stale temporaries of it, and creates the temporary.
   */
  public static Pending open(Path target) {
    Path absolute = target.toAbsolutePath();
    Path dir = absolute.getParent();
    if (dir == null || !Files.isDirectory(dir)) {
      throw new TfewException(target + ": cannot write (its directory " + dir + " does not exist); create it first");
    }
    requireReplaceable(target);
    removeStaleTemporaries(dir, absolute.getFileName().toString());
    Path temp = dir.resolve(temporaryName(absolute.getFileName().toString()));
    try {
      // No attributes: the file gets 0666 less the umask, as a new file from any other program does.
      FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      return new Pending(target, absolute, temp, channel);
    } catch (IOException e) {
      throw new TfewException(target + ": cannot write (" + e + "); check the directory's permissions", e);
    }
  }

  /**
   * Checks an output option before any slow work: {@code target}'s directory exists, the target may be
   * replaced ({@link #requireReplaceable}) and is none of {@code inputs} ({@link #requireNotInput}).
   * Messages start with {@code option} and the path, e.g. {@code "--out /dev/null: is a character device"}.
   */
  public static void requireWritable(String option, Path target, Path... inputs) {
    Path dir = target.toAbsolutePath().getParent();
    if (dir == null || !Files.isDirectory(dir)) {
      throw new TfewException(option + " " + target + ": its directory " + dir + " does not exist; create it first");
    }
    refuseUnreplaceable(option + " " + target, target);
    requireNotInput(option, target, inputs);
  }

  /**
   * Refuses a {@code target} that a write would destroy rather than replace: anything that exists and is
   * not a regular file (a symbolic link, FIFO, device, socket or directory).
   */
  public static void requireReplaceable(Path target) {
    refuseUnreplaceable(target.toString(), target);
  }

  private static void refuseUnreplaceable(String named, Path target) {
    FileKind kind = FileKind.of(target);
    if (kind == FileKind.ABSENT || kind == FileKind.REGULAR) {
      return;
    }
    String what = kind == FileKind.SYMBOLIC_LINK ? describeLink(target) : kind.words();
    throw new TfewException(named + ": is " + what + ", not a regular file; tfew writes a new file in its place "
        + "and will not replace " + (kind == FileKind.DIRECTORY ? "a directory" : "it") + ": give the path of a "
        + "regular file (or of one that does not exist yet)");
  }

  /**
   * Refuses to write {@code output} when it is one of {@code inputs} (the same file, also through links or
   * another spelling of the path): the write would replace what is still being read. {@code option} names
   * the output in the message, e.g. {@code "--out"}.
   */
  public static void requireNotInput(String option, Path output, Path... inputs) {
    if (!Files.exists(output)) {
      return;
    }
    for (Path input : inputs) {
      if (input == null || !Files.exists(input)) {
        continue;
      }
      try {
        if (Files.isSameFile(output, input)) {
          throw new TfewException(option + " " + output + ": is the input file " + input + "; writing it would "
              + "destroy the input: give another output path");
        }
      } catch (IOException e) {
        // Cannot tell; the write itself reports what goes wrong.
      }
    }
  }

  /** Removes tfew temporaries under {@code dir} (and its subdirectories) whose writer is gone; returns how many. */
  public static int removeStaleTemporaries(Path dir) {
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return 0;
    }
    int removed = 0;
    // A run directory is a few levels deep (adapter/, checkpoint/, predictions/); links are not followed.
    try (Stream<Path> files = Files.walk(dir, 4, new FileVisitOption[0])) {
      for (Path p : (Iterable<Path>) files::iterator) {
        if (isStaleTemporary(p, null)) {
          removed += deleteQuietly(p) ? 1 : 0;
        }
      }
    } catch (IOException | java.io.UncheckedIOException e) {
      // Cleaning is a courtesy; an unreadable directory shows up when it is written to.
    }
    return removed;
  }

  private static void removeStaleTemporaries(Path dir, String targetName) {
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, p -> p.getFileName().toString()
        .startsWith("." + targetName + ".tfew-"))) {
      for (Path p : entries) {
        if (isStaleTemporary(p, targetName)) {
          deleteQuietly(p);
        }
      }
    } catch (IOException | java.nio.file.DirectoryIteratorException e) {
      // As above: the write that follows reports a directory it cannot use.
    }
  }

  /** The temporary's name for a write of {@code targetName} by this process. */
  static String temporaryName(String targetName) {
    return temporaryName(targetName, ProcessHandle.current().pid());
  }

  /** As {@link #temporaryName(String)}, for a writer with process id {@code pid} on this host. */
  static String temporaryName(String targetName, long pid) {
    String random = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    return "." + targetName + ".tfew-" + HOST + "-" + pid + "-" + random + ".tmp";
  }

  /**
   * Whether {@code p} is a temporary tfew's writer made (for {@code targetName}, when given) whose writer
   * can no longer finish it: its process on this host has ended, or, written on another host, it is older
   * than a day.
   */
  static boolean isStaleTemporary(Path p, String targetName) {
    Matcher m = TEMPORARY.matcher(p.getFileName().toString());
    if (!m.matches() || (targetName != null && !m.group(1).equals(targetName))
        || !Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
      return false;
    }
    if (m.group(2).equals(HOST)) {
      long pid;
      try {
        pid = Long.parseLong(m.group(3));
      } catch (NumberFormatException e) {
        return false;
      }
      return ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true);
    }
    try {
      FileTime modified = Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS);
      return modified.toInstant().isBefore(Instant.now().minus(FOREIGN_STALE_AFTER));
    } catch (IOException e) {
      return false;
    }
  }

  private static String describeLink(Path link) {
    try {
      return "a symbolic link (to " + Files.readSymbolicLink(link) + ")";
    } catch (IOException | UnsupportedOperationException e) {
      return "a symbolic link";
    }
  }

  private static String hostTag() {
    String host;
    try {
      host = java.net.InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      host = "unknown";
    }
    return String.format("%08x", host.hashCode());
  }

  private static boolean deleteQuietly(Path path) {
    try {
      return Files.deleteIfExists(path);
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * A write in progress: bytes go to {@link #stream()} or {@link #channel()}, {@link #commit()} puts them
   * in place, {@link #close()} without a commit discards them. Not thread-safe.
   */
  public static final class Pending implements AutoCloseable {
    private final Path target;
    private final Path absolute;
    private final Path temp;
    private final FileChannel channel;
    private final OutputStream stream;
    private boolean done;

    private Pending(Path target, Path absolute, Path temp, FileChannel channel) {
      this.target = target;
      this.absolute = absolute;
      this.temp = temp;
      this.channel = channel;
      // Closing the stream must not close the channel: commit still syncs it.
      this.stream = new BufferedOutputStream(new FilterOutputStream(Channels.newOutputStream(channel)) {
        @Override
        public void write(byte[] b, int off, int len) throws IOException {
          out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
          flush();
        }
      }, 1 << 16);
    }

    /** The temporary as a buffered stream; closing it only flushes. */
    public OutputStream stream() {
      return stream;
    }

    /** The temporary's channel, for writers of large binary files; flush {@link #stream()} first if mixing. */
    public FileChannel channel() {
      return channel;
    }

    /** The file this write replaces. */
    public Path target() {
      return target;
    }

    /**
     * Makes the bytes written the content of the target: syncs them (a power cut must not leave the new
     * name on empty data), gives the temporary the replaced file's permissions, and renames it into place.
     */
    public void commit() {
      if (done) {
        throw new IllegalStateException("the write of " + target + " is already finished");
      }
      try {
        stream.flush();
        channel.force(true);
        channel.close();
        // Checked again just before the rename: the target may have changed since open.
        requireReplaceable(absolute);
        keepAttributes(absolute, temp);
        try {
          Files.move(temp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
          // Some file systems cannot rename atomically; a plain replace still never exposes a partial file.
          Files.move(temp, absolute, StandardCopyOption.REPLACE_EXISTING);
        }
        done = true;
      } catch (IOException e) {
        throw failure(e);
      } finally {
        close();
      }
    }

    /** Discards the temporary unless {@link #commit()} succeeded; safe to call more than once. */
    @Override
    public void close() {
      if (done) {
        return;
      }
      done = true;
      try {
        channel.close();
      } catch (IOException e) {
        // The file is being discarded, so a failure to flush it does not matter.
      }
      deleteQuietly(temp);
    }

    /** The error to throw for {@code e} met while writing, naming the target. */
    public TfewException failure(IOException e) {
      return new TfewException(target + ": cannot write (" + e + "); check free disk space and permissions", e);
    }

    private static void keepAttributes(Path target, Path temp) throws IOException {
      if (!Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
        return;
      }
      PosixFileAttributeView view = Files.getFileAttributeView(target, PosixFileAttributeView.class,
          LinkOption.NOFOLLOW_LINKS);
      if (view == null) {
        return;
      }
      PosixFileAttributes old = view.readAttributes();
      PosixFileAttributeView tempView = Files.getFileAttributeView(temp, PosixFileAttributeView.class,
          LinkOption.NOFOLLOW_LINKS);
      PosixFileAttributes fresh = tempView.readAttributes();
      // Owner and group first: changing them may clear set-id bits, which the permissions then restore.
      setOwnerQuietly(tempView, old.owner(), fresh.owner());
      setGroupQuietly(tempView, old.group(), fresh.group());
      tempView.setPermissions(old.permissions());
    }

    private static void setOwnerQuietly(PosixFileAttributeView view, UserPrincipal wanted, UserPrincipal has) {
      if (!wanted.equals(has)) {
        try {
          view.setOwner(wanted);
        } catch (IOException e) {
          // Only root may give a file away; the new file is then this user's, as with any editor's save.
        }
      }
    }

    private static void setGroupQuietly(PosixFileAttributeView view, GroupPrincipal wanted, GroupPrincipal has) {
      if (!wanted.equals(has)) {
        try {
          view.setGroup(wanted);
        } catch (IOException e) {
          // As for the owner: kept where allowed.
        }
      }
    }
  }

  /** Adds execute permission wherever {@code file} grants read (chmod +x as the umask allows it). */
  public static void addExecuteWhereReadable(Path file) {
    try {
      Set<PosixFilePermission> permissions = EnumSet.copyOf(Files.getPosixFilePermissions(file));
      if (permissions.contains(PosixFilePermission.OWNER_READ)) {
        permissions.add(PosixFilePermission.OWNER_EXECUTE);
      }
      if (permissions.contains(PosixFilePermission.GROUP_READ)) {
        permissions.add(PosixFilePermission.GROUP_EXECUTE);
      }
      if (permissions.contains(PosixFilePermission.OTHERS_READ)) {
        permissions.add(PosixFilePermission.OTHERS_EXECUTE);
      }
      Files.setPosixFilePermissions(file, permissions);
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      // Not a POSIX file system, or not ours to change: a script is still run by `bash FILE` or sbatch.
    }
  }
}
