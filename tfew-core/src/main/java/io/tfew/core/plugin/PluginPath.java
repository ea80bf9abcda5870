package io.tfew.core.plugin;

import io.tfew.api.TfewException;
import java.io.File;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * The plugin jars outside tfew's own class path, resolved: absolute paths of existing jar files, in the
 * order given, each once. A directory on the path stands for every {@code *.jar} file in it (sorted by
 * name, not recursive), so the jars a run used can be listed exactly and handed to child processes.
 *
 * <pre>{@code
 * PluginPath path = PluginPath.parse("/opt/plugins:/home/me/vera.jar", "--plugin-path");
 * path.jars();   // [/opt/plugins/a.jar, /opt/plugins/b.jar, /home/me/vera.jar]
 * path.text();   // "/opt/plugins/a.jar:/opt/plugins/b.jar:/home/me/vera.jar"
 * }</pre>
 *
 * @param jars absolute, normalised jar files
 */
public record PluginPath(List<Path> jars) {
  /** No outside plugins. */
  public static final PluginPath NONE = new PluginPath(List.of());

  public PluginPath {
    jars = List.copyOf(jars);
  }

  /**
   * Resolves {@code text}, entries separated by {@link File#pathSeparator} (empty entries are skipped).
   *
   * @param source where the text came from ({@code --plugin-path}, {@code TFEW_PLUGIN_PATH}), for messages
   * @throws TfewException naming the entry that does not exist, is not a jar, or cannot be read
   */
  public static PluginPath parse(String text, String source) {
    List<Path> entries = new ArrayList<>();
    for (String entry : text.split(File.pathSeparator, -1)) {
      if (!entry.isBlank()) {
        entries.add(Path.of(entry.strip()));
      }
    }
    return of(entries, source);
  }

  /** Resolves jar files and directories of jars; see {@link #parse}. */
  public static PluginPath of(List<Path> entries, String source) {
    Set<Path> jars = new LinkedHashSet<>();
    for (Path entry : entries) {
      Path absolute = entry.toAbsolutePath().normalize();
      if (Files.isDirectory(absolute)) {
        jars.addAll(jarsIn(absolute, source));
      } else if (Files.exists(absolute)) {
        requireJar(absolute, source);
        jars.add(absolute);
      } else {
        throw new TfewException(source + ": " + absolute + " does not exist; give plugin jars or directories of "
            + "jars, separated by '" + File.pathSeparator + "'");
      }
    }
    return new PluginPath(new ArrayList<>(jars));
  }

  public boolean isEmpty() {
    return jars.isEmpty();
  }

  /** The jars joined with {@link File#pathSeparator}: what a child process is given to see the same jars. */
  public String text() {
    return jars.stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator));
  }

  private static List<Path> jarsIn(Path dir, String source) {
    List<Path> found = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.jar")) {
      for (Path f : files) {
        if (Files.isRegularFile(f)) {
          found.add(f);
        }
      }
    } catch (IOException e) {
      throw new TfewException(source + ": cannot list the directory " + dir + " (" + e.getMessage() + ")");
    }
    found.sort(null);
    for (Path f : found) {
      requireJar(f, source);
    }
    return found;
  }

  /** Opens the file as a zip, so a wrong path fails here with its name rather than as a missing plugin. */
  private static void requireJar(Path file, String source) {
    if (!Files.isRegularFile(file)) {
      throw new TfewException(source + ": " + file + " is not a jar file or a directory");
    }
    try (ZipFile zip = new ZipFile(file.toFile())) {
      zip.size();
    } catch (ZipException e) {
      throw new TfewException(source + ": " + file + " is not a jar (zip) file (" + e.getMessage()
          + "); give the plugin's built jar");
    } catch (IOException e) {
      throw new TfewException(source + ": cannot read " + file + " (" + e.getMessage() + ")");
    }
  }
}
