package io.tfew.core.hub;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The few hub HTTP calls the locator needs. Redirects are followed by hand so that the bearer token
 * is only ever sent to the hub itself, never to the storage host a large file redirects to.
 */
final class HubHttp {
  static final int MAX_REDIRECTS = 10;

  private final HubSettings settings;
  private final HttpClient client;
  private final Duration requestTimeout;

  HubHttp(HubSettings settings, Duration connectTimeout, Duration requestTimeout) {
    this.settings = settings;
    this.requestTimeout = requestTimeout;
    this.client = HttpClient.newBuilder()
        .followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(connectTimeout)
        .build();
  }

  URI resolveUrl(RepoReference ref, String revision, String file) {
    StringBuilder path = new StringBuilder();
    for (String seg : file.split("/")) {
      path.append('/').append(encode(seg));
    }
    return URI.create(settings.endpoint() + "/" + ref.repoId() + "/resolve/" + encode(revision) + path);
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /**
   * HEADs a file; empty when the hub says the file does not exist in that revision. Only relative
   * redirects (renamed repositories) are followed, as huggingface_hub does: an absolute one points
   * at the storage host and the metadata we need is already on the redirect response.
   */
  Optional<RemoteFile> head(RepoReference ref, String revision, String file) throws IOException {
    URI url = resolveUrl(ref, revision, file);
    URI current = url;
    for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
      HttpResponse<Void> r = send(request(current, "HEAD", 0), HttpResponse.BodyHandlers.discarding());
      int status = r.statusCode();
      HttpHeaders h = r.headers();
      Optional<String> location = h.firstValue("Location");
      boolean relativeRedirect = isRedirect(status) && location.isPresent() && location.get().startsWith("/");
      if (relativeRedirect && h.firstValue("X-Linked-Etag").isEmpty()) {
        current = current.resolve(location.get());
        continue;
      }
      if (status == 404 && isMissingEntry(h)) {
        return Optional.empty();
      }
      if (status != 200 && !isRedirect(status)) {
        throw statusError(ref, url, status, h);
      }
      String etag = h.firstValue("X-Linked-Etag").or(() -> h.firstValue("ETag")).map(HubHttp::normalizeEtag)
          .orElseThrow(() -> new HubException(url + ": the server sent no ETag, so the file cannot be"
              + " cached; check that HF_ENDPOINT (" + settings.endpoint() + ") is a Hugging Face hub"));
      if (!CacheRepo.isSafeDirName(etag)) {
        throw new HubException(url + ": the server sent an unusable ETag '" + etag + "'; check that"
            + " HF_ENDPOINT (" + settings.endpoint() + ") is a Hugging Face hub");
      }
      String commit = h.firstValue("X-Repo-Commit").map(String::trim).orElse(null);
      long size = h.firstValue("X-Linked-Size").or(() -> status == 200 ? h.firstValue("Content-Length")
          : Optional.empty()).map(HubHttp::parseLongOrUnknown).orElse(-1L);
      return Optional.of(new RemoteFile(file, url, etag, commit, size));
    }
    throw new HubException(url + ": more than " + MAX_REDIRECTS + " redirects; check HF_ENDPOINT");
  }

  /** GETs {@code url} from byte {@code offset}, following redirects; the caller must close the body. */
  HttpResponse<InputStream> get(RepoReference ref, URI url, long offset) throws IOException {
    URI current = url;
    for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
      HttpResponse<InputStream> r = send(request(current, "GET", offset), HttpResponse.BodyHandlers.ofInputStream());
      Optional<String> location = r.headers().firstValue("Location");
      if (isRedirect(r.statusCode()) && location.isPresent()) {
        r.body().close();
        current = current.resolve(location.get());
        continue;
      }
      return r;
    }
    throw new HubException(url + ": more than " + MAX_REDIRECTS + " redirects; check HF_ENDPOINT");
  }

  private HttpRequest request(URI uri, String method, long offset) {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri)
        .timeout(requestTimeout)
        .header("User-Agent", "tfew (java.net.http)")
        .method(method, HttpRequest.BodyPublishers.noBody());
    if (offset > 0) {
      b.header("Range", "bytes=" + offset + "-");
    }
    if (settings.token().isPresent() && sameOrigin(uri, settings.endpoint())) {
      b.header("Authorization", "Bearer " + settings.token().get());
    }
    return b.build();
  }

  private <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) throws IOException {
    try {
      return client.send(request, handler);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new HubException("interrupted while contacting " + request.uri(), e);
    }
  }

  HubException statusError(RepoReference ref, URI url, int status, HttpHeaders h) {
    String code = h.firstValue("X-Error-Code").orElse("");
    String hubMessage = h.firstValue("X-Error-Message").map(m -> " (" + m + ")").orElse("");
    String fix;
    if (status == 401 || status == 403 || code.equals("GatedRepo") || code.equals("RepositoryNotFound")) {
      fix = "check that the repo id '" + ref.repoId() + "' is spelled right; if it is private or gated,"
          + " accept its license on the hub and set HF_TOKEN"
          + (settings.token().isPresent() ? " (a token is set: check that it has access)" : "");
    } else if (code.equals("RevisionNotFound") || status == 404) {
      fix = "check that revision '" + ref.revision() + "' exists in " + ref.repoId();
    } else {
      fix = "the hub may be down; retry later, or download the model with"
          + " `huggingface-cli download " + ref.repoId() + "` and pass its directory";
    }
    return new HubException(url + ": HTTP " + status + (code.isEmpty() ? "" : " " + code) + hubMessage
        + "; " + fix);
  }

  static boolean isRedirect(int status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
  }

  /** A bare 404 (a mirror without error codes) is taken to mean the file is absent. */
  private static boolean isMissingEntry(HttpHeaders h) {
    String code = h.firstValue("X-Error-Code").orElse("EntryNotFound");
    return code.equals("EntryNotFound");
  }

  private static boolean sameOrigin(URI a, URI b) {
    return Objects.equals(lower(a.getScheme()), lower(b.getScheme()))
        && Objects.equals(lower(a.getHost()), lower(b.getHost()))
        && port(a) == port(b);
  }

  private static String lower(String s) {
    return s == null ? null : s.toLowerCase(Locale.ROOT);
  }

  private static int port(URI u) {
    if (u.getPort() != -1) {
      return u.getPort();
    }
    return "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
  }

  static String normalizeEtag(String raw) {
    String e = raw.trim();
    if (e.startsWith("W/")) {
      e = e.substring(2);
    }
    if (e.length() >= 2 && e.startsWith("\"") && e.endsWith("\"")) {
      e = e.substring(1, e.length() - 1);
    }
    return e;
  }

  static long parseLongOrUnknown(String s) {
    try {
      long v = Long.parseLong(s.trim());
      return v >= 0 ? v : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
