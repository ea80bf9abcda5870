package io.tfew.experiments.run;

import io.tfew.api.TfewException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** SHA-256 of the files a run read, for its provenance record. */
public final class FileDigests {
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

  private FileDigests() {}

  /**
   * The file's SHA-256. A file in the Hugging Face cache is a link to {@code blobs/<sha256>} for large
   * files, and that name is trusted rather than re-reading gigabytes of weights on every run.
   */
  public static String sha256(Path file) {
    try {
      if (Files.isSymbolicLink(file)) {
        Path target = file.toRealPath();
        String name = target.getFileName().toString();
        if (SHA256.matcher(name).matches() && target.getParent() != null
            && target.getParent().getFileName().toString().equals("blobs")) {
          return name;
        }
      }
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      byte[] buffer = new byte[1 << 20];
      try (InputStream in = Files.newInputStream(file)) {
        int n;
        while ((n = in.read(buffer)) > 0) {
          digest.update(buffer, 0, n);
        }
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (IOException e) {
      throw new TfewException(file + ": cannot read for hashing (" + e.getMessage() + ")");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK lacks SHA-256", e);
    }
  }
}
