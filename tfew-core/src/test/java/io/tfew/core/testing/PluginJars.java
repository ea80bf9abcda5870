package io.tfew.core.testing;

import java.io.IOException;
import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;

/**
 * Builds plugin jars in tests, from Java source compiled against the test class path (so against tfew-api),
 * as a plugin author's build would: classes plus {@code META-INF/services} files. The jar is not on the
 * class path; tests hand it to tfew through the plugin path.
 *
 * <pre>{@code
 * Path jar = PluginJars.builder()
 *     .source("org.example.VeraProvider", "package org.example; public final class VeraProvider ...")
 *     .service("io.tfew.api.peft.PeftMethodProvider", "org.example.VeraProvider")
 *     .write(tmp.resolve("vera.jar"));
 * }</pre>
 */
public final class PluginJars {
  private final Map<String, String> sources = new LinkedHashMap<>();
  private final Map<String, List<String>> services = new LinkedHashMap<>();
  private final Map<String, Integer> majorVersions = new LinkedHashMap<>();

  private PluginJars() {}

  public static PluginJars builder() {
    return new PluginJars();
  }

  /** A class's source, by its binary name. */
  public PluginJars source(String className, String code) {
    sources.put(className, code);
    return this;
  }

  /** Lines of {@code META-INF/services/<service>}; the classes need not exist (a broken jar). */
  public PluginJars service(String service, String... classNames) {
    services.computeIfAbsent(service, s -> new ArrayList<>()).addAll(List.of(classNames));
    return this;
  }

  /** Rewrites the class file's major version, as if compiled for a newer Java (e.g. 66 for Java 22). */
  public PluginJars classFileMajorVersion(String className, int major) {
    majorVersions.put(className, major);
    return this;
  }

  /** Compiles, packs and writes the jar; returns it. */
  public Path write(Path jar) throws IOException {
    Path classes = Files.createTempDirectory("plugin-classes");
    if (!sources.isEmpty()) {
      compile(classes);
    }
    for (Map.Entry<String, Integer> e : majorVersions.entrySet()) {
      Path file = classes.resolve(e.getKey().replace('.', '/') + ".class");
      byte[] bytes = Files.readAllBytes(file);
      bytes[6] = (byte) (e.getValue() >> 8);
      bytes[7] = (byte) (e.getValue() & 0xff);
      Files.write(file, bytes);
    }
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().putValue("Manifest-Version", "1.0");
    Files.createDirectories(jar.toAbsolutePath().getParent());
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest);
        Stream<Path> files = Files.walk(classes)) {
      for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
        out.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
        Files.copy(f, out);
        out.closeEntry();
      }
      for (Map.Entry<String, List<String>> e : services.entrySet()) {
        out.putNextEntry(new JarEntry("META-INF/services/" + e.getKey()));
        out.write((String.join("\n", e.getValue()) + "\n").getBytes(StandardCharsets.UTF_8));
        out.closeEntry();
      }
    }
    return jar;
  }

  private void compile(Path classes) {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    List<JavaFileObject> units = new ArrayList<>();
    sources.forEach((name, code) -> units.add(new Source(name, code)));
    StringWriter diagnostics = new StringWriter();
    boolean ok = javac.getTask(diagnostics, null, null,
        List.of("--release", "17", "-classpath", System.getProperty("java.class.path"), "-d", classes.toString()),
        null, units).call();
    if (!ok) {
      throw new IllegalStateException("the test plugin does not compile:\n" + diagnostics);
    }
  }

  private static final class Source extends SimpleJavaFileObject {
    private final String code;

    Source(String className, String code) {
      super(URI.create("string:///" + className.replace('.', '/') + Kind.SOURCE.extension), Kind.SOURCE);
      this.code = code;
    }

    @Override
    public CharSequence getCharContent(boolean ignoreEncodingErrors) {
      return code;
    }
  }
}
