package io.tfew.core.hub;

import java.net.URI;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Where and how to reach the Hugging Face Hub, read from the same environment variables Python's
 * {@code huggingface_hub} uses, so both share one cache.
 *
 * @param cacheDir the hub cache root holding {@code models--org--name} folders
 * @param endpoint base URL of the hub, without trailing slash
 * @param offline when true, never touch the network
 * @param token bearer token for gated or private repositories
 */
public record HubSettings(Path cacheDir, URI endpoint, boolean offline, Optional<String> token) {
  public static final URI DEFAULT_ENDPOINT = URI.create("https://huggingface.co");

  /** The spellings huggingface_hub accepts as true for boolean variables. */
  private static final Set<String> TRUE_VALUES = Set.of("1", "ON", "YES", "TRUE");

  public HubSettings {
    Objects.requireNonNull(cacheDir, "cacheDir");
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(token, "token");
    String e = endpoint.toString();
    if (e.endsWith("/")) {
      endpoint = URI.create(e.substring(0, e.length() - 1));
    }
  }

  /**
   * Reads {@code HF_HUB_CACHE}, else {@code HF_HOME/hub}, else {@code XDG_CACHE_HOME/huggingface/hub},
   * else {@code ~/.cache/huggingface/hub}; {@code HF_ENDPOINT}; {@code HF_HUB_OFFLINE}; {@code HF_TOKEN}.
   */
  public static HubSettings fromEnvironment(Map<String, String> env) {
    Path cache;
    if (isSet(env, "HF_HUB_CACHE")) {
      cache = expandHome(env.get("HF_HUB_CACHE"));
    } else if (isSet(env, "HUGGINGFACE_HUB_CACHE")) {
      cache = expandHome(env.get("HUGGINGFACE_HUB_CACHE"));
    } else if (isSet(env, "HF_HOME")) {
      cache = expandHome(env.get("HF_HOME")).resolve("hub");
    } else if (isSet(env, "XDG_CACHE_HOME")) {
      cache = expandHome(env.get("XDG_CACHE_HOME")).resolve("huggingface").resolve("hub");
    } else {
      cache = Paths.get(System.getProperty("user.home"), ".cache", "huggingface", "hub");
    }
    URI endpoint = isSet(env, "HF_ENDPOINT") ? parseEndpoint(env.get("HF_ENDPOINT")) : DEFAULT_ENDPOINT;
    boolean offline = isSet(env, "HF_HUB_OFFLINE")
        && TRUE_VALUES.contains(env.get("HF_HUB_OFFLINE").trim().toUpperCase(Locale.ROOT));
    Optional<String> token = isSet(env, "HF_TOKEN") ? Optional.of(env.get("HF_TOKEN").trim()) : Optional.empty();
    return new HubSettings(cache, endpoint, offline, token);
  }

  /** The settings of this process's environment. */
  public static HubSettings fromEnvironment() {
    return fromEnvironment(System.getenv());
  }

  private static boolean isSet(Map<String, String> env, String key) {
    String v = env.get(key);
    return v != null && !v.isBlank();
  }

  private static Path expandHome(String path) {
    if (path.equals("~") || path.startsWith("~/")) {
      return Paths.get(System.getProperty("user.home") + path.substring(1));
    }
    return Paths.get(path);
  }

  private static URI parseEndpoint(String value) {
    try {
      URI uri = new URI(value.trim());
      if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
        throw new IllegalArgumentException("not an http(s) URL");
      }
      return uri;
    } catch (Exception e) {
      throw new HubException("HF_ENDPOINT='" + value + "' is not an http(s) URL; set it to e.g. "
          + DEFAULT_ENDPOINT + " or unset it", e);
    }
  }

  @Override
  public String toString() {
    // Never print the token.
    return "HubSettings[cacheDir=" + cacheDir + ", endpoint=" + endpoint + ", offline=" + offline
        + ", token=" + (token.isPresent() ? "<set>" : "<none>") + "]";
  }
}
