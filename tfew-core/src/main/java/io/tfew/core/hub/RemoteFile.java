package io.tfew.core.hub;

import java.net.URI;
import java.util.regex.Pattern;

/**
 * What a HEAD request on the hub said about one file.
 *
 * @param path file path inside the repository
 * @param url the resolve URL to GET it from
 * @param etag blob identity: the LFS sha256 for large files, a git hash for small ones
 * @param commit the commit the revision resolved to, or null when the server did not say
 * @param size expected byte length, or -1 when unknown
 */
record RemoteFile(String path, URI url, String etag, String commit, long size) {
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

  /** The sha256 the content must hash to, when the etag is one (true for LFS files on the hub). */
  String expectedSha256() {
    return SHA256.matcher(etag).matches() ? etag : null;
  }
}
