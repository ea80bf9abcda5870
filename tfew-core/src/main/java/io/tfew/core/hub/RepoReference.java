package io.tfew.core.hub;

import java.util.regex.Pattern;

/** A parsed {@code org/name[@revision]} Hugging Face model reference. */
record RepoReference(String repoId, String revision) {
  static final String DEFAULT_REVISION = "main";

  /** Mirrors huggingface_hub's validate_repo_id: optional namespace, no "--" or "..". */
  private static final Pattern REPO_ID =
      Pattern.compile("(?:[A-Za-z0-9][A-Za-z0-9_.-]{0,95}/)?[A-Za-z0-9][A-Za-z0-9_.-]{0,95}");

  private static final Pattern REVISION = Pattern.compile("[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)*");

  private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");

  static boolean looksLikeRepoId(String reference) {
    int at = reference.indexOf('@');
    String id = at < 0 ? reference : reference.substring(0, at);
    return REPO_ID.matcher(id).matches() && !id.contains("--") && !id.contains("..");
  }

  static RepoReference parse(String reference) {
    int at = reference.indexOf('@');
    String id = at < 0 ? reference : reference.substring(0, at);
    String rev = at < 0 ? DEFAULT_REVISION : reference.substring(at + 1);
    if (!looksLikeRepoId(reference)) {
      throw new HubException("'" + reference + "' is neither an existing local directory nor a Hugging Face"
          + " repo id like 'google/t5-v1_1-small' or 'org/name@revision'; fix the reference or the path");
    }
    if (!isSafeRevision(rev)) {
      throw new HubException("'" + reference + "': revision '" + rev + "' is not a valid branch, tag or"
          + " commit name; use e.g. 'main', a tag, or a 40-character commit hash");
    }
    return new RepoReference(id, rev);
  }

  static boolean isSafeRevision(String rev) {
    if (!REVISION.matcher(rev).matches()) {
      return false;
    }
    for (String seg : rev.split("/")) {
      if (seg.equals(".") || seg.equals("..")) {
        return false;
      }
    }
    return true;
  }

  static boolean isCommitHash(String rev) {
    return COMMIT.matcher(rev).matches();
  }

  /** The cache folder name huggingface_hub uses: {@code models--org--name}. */
  String cacheFolderName() {
    return "models--" + repoId.replace("/", "--");
  }

  @Override
  public String toString() {
    return revision.equals(DEFAULT_REVISION) ? repoId : repoId + "@" + revision;
  }
}
