package io.tfew.core.hub;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A loopback stand-in for the hub's resolve endpoint, recording every request it gets. */
final class FakeHub implements AutoCloseable {
  static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";

  record Request(String method, String path, String range, String authorization) {}

  private static final Pattern RESOLVE = Pattern.compile("/([^/]+/[^/]+)/resolve/([^/]+)/(.+)");
  private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-");

  private final HttpServer server;
  private final Map<String, byte[]> files = new ConcurrentHashMap<>();
  private final Map<String, String> advertisedSha = new ConcurrentHashMap<>();
  final List<Request> requests = new CopyOnWriteArrayList<>();
  volatile boolean ignoreRange;
  volatile int forcedStatus;
  /** How many more GETs answer 503 before the real content is served. */
  final java.util.concurrent.atomic.AtomicInteger failingGets = new java.util.concurrent.atomic.AtomicInteger();

  FakeHub() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", this::handle);
    server.start();
  }

  URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** Serves a small (git-stored) file: plain ETag. */
  void addSmall(String name, byte[] content) {
    files.put(name, content);
  }

  /** Serves an LFS file whose X-Linked-Etag is its sha256. */
  void addLfs(String name, byte[] content) {
    files.put(name, content);
    advertisedSha.put(name, sha256(content));
  }

  /** Serves an LFS file that advertises {@code sha} while sending {@code content}. */
  void addLfsWithWrongSha(String name, byte[] content, String sha) {
    files.put(name, content);
    advertisedSha.put(name, sha);
  }

  List<Request> gets() {
    return requests.stream().filter(r -> r.method().equals("GET")).toList();
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String path = ex.getRequestURI().getPath();
      requests.add(new Request(ex.getRequestMethod(), path, ex.getRequestHeaders().getFirst("Range"),
          ex.getRequestHeaders().getFirst("Authorization")));
      if (forcedStatus != 0) {
        ex.sendResponseHeaders(forcedStatus, -1);
        return;
      }
      Matcher m = RESOLVE.matcher(path);
      byte[] content = m.matches() ? files.get(m.group(3)) : null;
      if (content == null) {
        ex.getResponseHeaders().add("X-Error-Code", "EntryNotFound");
        ex.sendResponseHeaders(404, -1);
        return;
      }
      String name = m.group(3);
      ex.getResponseHeaders().add("X-Repo-Commit", COMMIT);
      String sha = advertisedSha.get(name);
      if (sha != null) {
        ex.getResponseHeaders().add("X-Linked-Etag", "\"" + sha + "\"");
        ex.getResponseHeaders().add("X-Linked-Size", Integer.toString(content.length));
        ex.getResponseHeaders().add("ETag", "\"cdn-etag-not-a-sha\"");
      } else {
        ex.getResponseHeaders().add("ETag", "\"" + sha256(content).substring(0, 40) + "\"");
      }
      boolean head = ex.getRequestMethod().equals("HEAD");
      if (!head && failingGets.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        ex.sendResponseHeaders(503, -1);
        return;
      }
      String range = ex.getRequestHeaders().getFirst("Range");
      Matcher rm = range == null ? null : RANGE.matcher(range);
      int from = 0;
      int status = 200;
      if (!head && !ignoreRange && rm != null && rm.matches()) {
        from = Integer.parseInt(rm.group(1));
        if (from >= content.length) {
          ex.sendResponseHeaders(416, -1);
          return;
        }
        status = 206;
        ex.getResponseHeaders().add("Content-Range",
            "bytes " + from + "-" + (content.length - 1) + "/" + content.length);
      }
      if (head) {
        ex.getResponseHeaders().add("Content-Length", Integer.toString(content.length));
        ex.sendResponseHeaders(200, -1);
        return;
      }
      ex.sendResponseHeaders(status, content.length - from);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(content, from, content.length - from);
      }
    }
  }

  static String sha256(byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
