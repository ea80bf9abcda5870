package io.tfew.core.hub;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Downloads one file into {@code blobs/<etag>}: bytes go to {@code <etag>.incomplete}, an existing
 * partial file is resumed with a Range request, and the blob appears under its final name only after
 * its size and (for LFS files) sha256 have been checked.
 */
final class BlobDownloader {
  static final int MAX_ATTEMPTS = 4;
  private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");

  private final HubHttp http;
  private final Duration stallTimeout;
  private final Duration retryBackoff;

  BlobDownloader(HubHttp http, Duration stallTimeout, Duration retryBackoff) {
    this.http = http;
    this.stallTimeout = stallTimeout;
    this.retryBackoff = retryBackoff;
  }

  /** A failure worth another attempt: network trouble, server error, cut-off body. */
  private static final class RetryableException extends Exception {
    private static final long serialVersionUID = 1L;

    RetryableException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  void download(RepoReference ref, RemoteFile remote, Path blob) throws IOException {
    Files.createDirectories(blob.getParent());
    Path partial = blob.resolveSibling(blob.getFileName() + ".incomplete");
    RetryableException last = null;
    for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      try {
        fetchInto(ref, remote, partial);
        verify(remote, partial);
        CacheRepo.move(partial, blob);
        return;
      } catch (RetryableException e) {
        last = e;
        if (attempt < MAX_ATTEMPTS) {
          sleep(retryBackoff.multipliedBy(1L << (attempt - 1)));
        }
      }
    }
    throw new HubException(remote.url() + ": download failed after " + MAX_ATTEMPTS + " attempts ("
        + last.getMessage() + "); check your network and retry (the partial file " + partial
        + " is kept and will be resumed)", last.getCause());
  }

  private void fetchInto(RepoReference ref, RemoteFile remote, Path partial)
      throws IOException, RetryableException {
    long offset = Files.exists(partial) ? Files.size(partial) : 0;
    if (remote.size() >= 0 && offset > remote.size()) {
      Files.delete(partial);
      offset = 0;
    }
    HttpResponse<InputStream> r;
    try {
      r = http.get(ref, remote.url(), offset);
    } catch (IOException e) {
      throw new RetryableException("cannot connect: " + e, e);
    }
    try (InputStream body = r.body()) {
      int status = r.statusCode();
      if (status == 416) {
        // Our partial file is not a prefix the server recognises; start over next attempt.
        Files.deleteIfExists(partial);
        throw new RetryableException("server rejected the resume range", null);
      }
      if (status == 429 || status >= 500) {
        throw new RetryableException("HTTP " + status, null);
      }
      boolean append;
      if (status == 206 && offset > 0) {
        checkContentRange(remote, r, offset);
        append = true;
      } else if (status == 200) {
        // Also the answer of a server that ignores Range: it resends everything, so restart.
        append = false;
        long declared = r.headers().firstValue("Content-Length").map(HubHttp::parseLongOrUnknown).orElse(-1L);
        if (remote.size() >= 0 && declared >= 0 && declared != remote.size()) {
          throw new HubException(remote.url() + ": server sends " + declared + " bytes but announced "
              + remote.size() + "; retry later or report the problem to the hub");
        }
      } else {
        throw http.statusError(ref, remote.url(), status, r.headers());
      }
      copy(body, partial, append, remote);
    }
  }

  private static void checkContentRange(RemoteFile remote, HttpResponse<?> r, long offset) {
    String header = r.headers().firstValue("Content-Range").orElse("");
    Matcher m = CONTENT_RANGE.matcher(header.trim());
    boolean ok = m.matches() && Long.parseLong(m.group(1)) == offset
        && (remote.size() < 0 || m.group(3).equals("*") || Long.parseLong(m.group(3)) == remote.size());
    if (!ok) {
      throw new HubException(remote.url() + ": resume answered with Content-Range '" + header
          + "' for a request from byte " + offset + (remote.size() >= 0 ? " of " + remote.size() : "")
          + "; delete the partial download and retry");
    }
  }

  private void copy(InputStream body, Path partial, boolean append, RemoteFile remote)
      throws IOException, RetryableException {
    StandardOpenOption mode = append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING;
    // Not through a link: a partial download planted as a link would truncate whatever it points at.
    try (OutputStream out = Files.newOutputStream(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE, mode,
        LinkOption.NOFOLLOW_LINKS);
        StallWatchdog watchdog = new StallWatchdog(body, stallTimeout)) {
      byte[] buf = new byte[1 << 16];
      long written = append ? Files.size(partial) : 0;
      int n;
      try {
        while ((n = body.read(buf)) >= 0) {
          watchdog.progress();
          out.write(buf, 0, n);
          written += n;
          if (remote.size() >= 0 && written > remote.size()) {
            break;
          }
        }
      } catch (IOException e) {
        throw new RetryableException(watchdog.stalled() ? "no data for " + stallTimeout.toSeconds() + " s"
            : "connection lost: " + e, e);
      }
    }
  }

  private static void verify(RemoteFile remote, Path partial) throws IOException, RetryableException {
    long size = Files.size(partial);
    if (remote.size() >= 0 && size < remote.size()) {
      throw new RetryableException("body ended at byte " + size + " of " + remote.size(), null);
    }
    if (remote.size() >= 0 && size > remote.size()) {
      Files.deleteIfExists(partial);
      throw new HubException(remote.url() + ": received " + size + " bytes but the hub announced "
          + remote.size() + "; the partial file was deleted, retry the download");
    }
    String expected = remote.expectedSha256();
    if (expected != null) {
      String actual = sha256(partial);
      if (!actual.equals(expected)) {
        Files.deleteIfExists(partial);
        throw new HubException(remote.url() + ": checksum mismatch for " + remote.path() + ": expected sha256 "
            + expected + " but the download hashes to " + actual + "; the corrupt file was deleted,"
            + " retry the download (if it persists, a proxy may be altering the file)");
      }
    }
  }

  static String sha256(Path file) throws IOException {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime provides SHA-256", e);
    }
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buf = new byte[1 << 16];
      int n;
      while ((n = in.read(buf)) >= 0) {
        md.update(buf, 0, n);
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new HubException("interrupted while waiting to retry a download", e);
    }
  }
}
