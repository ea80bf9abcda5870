package io.tfew.experiments.sweep;

import io.tfew.api.TfewException;
import io.tfew.core.files.FileKind;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The lock that keeps two processes from running one cell at once: an operating-system lock on
 * {@code DIR/sweep.lock} ({@link FileChannel#tryLock}, fcntl on Linux). The system releases it when its
 * process ends, however it ends, so a lock left by a killed sweep is free again without anyone having
 * to judge whether it is stale. The file stays (deleting it would let a second process lock a fresh
 * file while a third still holds the old one); it says who holds it, for messages.
 */
public final class CellLock implements AutoCloseable {
  public static final String FILE = "sweep.lock";
  private static final Pattern OWNER = Pattern.compile("pid [0-9]+ on [^\\n]{1,255} since [0-9TZ:.+-]{10,40}");

  private final FileChannel channel;
  private final FileLock lock;

  private CellLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /** The lock of {@code dir}, or empty when another process (or this one) holds it. */
  public static Optional<CellLock> tryAcquire(Path dir) {
    Path file = dir.resolve(FILE);
    FileChannel channel = null;
    try {
      Files.createDirectories(dir);
      FileKind kind = FileKind.of(file);
      if (kind != FileKind.ABSENT && kind != FileKind.REGULAR) {
        // Locking truncates and rewrites the file: through a link that would destroy whatever it points at.
        throw new TfewException(file + ": is " + kind.words() + ", not the regular file tfew locks the "
            + "directory with; remove it");
      }
      channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE,
          LinkOption.NOFOLLOW_LINKS);
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        channel.close();
        return Optional.empty();
      }
      String owner = "pid " + ProcessHandle.current().pid() + " on " + host() + " since " + Instant.now() + "\n";
      channel.truncate(0);
      channel.write(ByteBuffer.wrap(owner.getBytes(StandardCharsets.UTF_8)), 0);
      channel.force(false);
      return Optional.of(new CellLock(channel, lock));
    } catch (IOException e) {
      if (channel != null) {
        try {
          channel.close();
        } catch (IOException ignored) {
          // the original problem is the one to report
        }
      }
      throw new TfewException(file + ": cannot lock the cell (" + e.getMessage() + "); is the directory "
          + "writable, and does its file system support locks?");
    }
  }

  /** Who holds or last held the lock of {@code dir}, as the holder wrote it. */
  public static String owner(Path dir) {
    Path file = dir.resolve(FILE);
    try {
      if (FileKind.of(file) != FileKind.REGULAR || Files.size(file) > 1024) {
        return "unknown";
      }
      String text = Files.readString(file).trim();
      // Only what a holder writes is repeated: anything else in the file is not quoted in messages.
      return OWNER.matcher(text).matches() ? text : "unknown";
    } catch (IOException e) {
      return "unknown";
    }
  }

  private static String host() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "unknown host";
    }
  }

  @Override
  public void close() {
    try {
      lock.release();
      channel.close();
    } catch (IOException e) {
      // Closing the channel releases the lock in any case; nothing to undo.
    }
  }
}
