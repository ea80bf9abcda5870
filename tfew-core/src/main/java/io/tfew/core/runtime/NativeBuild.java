package io.tfew.core.runtime;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One of TensorFlow-Java's native builds on a class path: the jar {@code tensorflow-core-native-VERSION-CLASSIFIER.jar},
 * whose classifier says the platform and, with {@code -gpu}, the CUDA build. The launcher puts exactly one on
 * the class path ({@code ./tfew --gpu} the CUDA one), so the class path says whether a run uses the GPU without
 * loading the native library.
 *
 * <pre>{@code
 * boolean gpu = NativeBuild.usesGpu(NativeBuild.ofThisJvm()); // true under ./tfew --gpu
 * }</pre>
 *
 * @param version TensorFlow-Java's version, e.g. 1.1.0
 * @param classifier e.g. linux-x86_64 or linux-x86_64-gpu
 * @param jar the class-path entry
 */
public record NativeBuild(String version, String classifier, Path jar) {
  // The classifier-less tensorflow-core-native jar holds protos only, no native code, so it does not match.
  private static final Pattern JAR = Pattern.compile("tensorflow-core-native-(\\d+(?:\\.\\d+)*(?:-SNAPSHOT)?)-(.+)\\.jar");

  /** Whether this is a CUDA build. */
  public boolean gpu() {
    return classifier.endsWith("-gpu");
  }

  /** The native builds among the entries of {@code classPath} (entries separated by the platform's separator). */
  public static List<NativeBuild> onClassPath(String classPath) {
    List<NativeBuild> builds = new ArrayList<>();
    for (String entry : classPath.split(Pattern.quote(File.pathSeparator))) {
      if (entry.isBlank()) {
        continue;
      }
      Path jar = Path.of(entry);
      Matcher m = JAR.matcher(jar.getFileName() == null ? "" : jar.getFileName().toString());
      if (m.matches()) {
        builds.add(new NativeBuild(m.group(1), m.group(2), jar));
      }
    }
    return List.copyOf(builds);
  }

  /** The native builds on this JVM's class path. */
  public static List<NativeBuild> ofThisJvm() {
    return onClassPath(System.getProperty("java.class.path", ""));
  }

  /** Whether a run with {@code builds} on its class path runs TensorFlow's CUDA build. */
  public static boolean usesGpu(List<NativeBuild> builds) {
    return builds.stream().anyMatch(NativeBuild::gpu);
  }
}
