package io.tfew.core.plugin;

import io.tfew.api.PluginProvider;
import io.tfew.api.TfewException;
import io.tfew.api.eval.EvaluatorProvider;
import io.tfew.api.loss.LossProvider;
import io.tfew.api.peft.PeftMethodProvider;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLConnection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The plugins on the class path and the plugin path, found with {@link ServiceLoader} and indexed by name.
 *
 * <p>Core never names a plugin class: YAML and the CLI name plugins, and this registry resolves the
 * names. Two plugins of one kind under one name are an error naming both classes and where each came
 * from, not a silent first-wins. A plugin that cannot be loaded (a services file naming a missing class,
 * a class built for a newer Java, a constructor that throws) is an error naming its jar and the reason.
 *
 * <pre>{@code
 * PluginPath path = PluginPath.parse("/home/me/vera.jar", "--plugin-path");
 * try (PluginClassLoader loader = new PluginClassLoader(path, PluginRegistry.class.getClassLoader())) {
 *   PluginRegistry registry = PluginRegistry.discover(loader, path);
 *   registry.method("vera", "peft").create(section);
 *   registry.origin(registry.method("vera", "peft")).describe();   // "/home/me/vera.jar"
 * }
 * }</pre>
 */
public final class PluginRegistry {
  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]*");
  /** "... (class file version 66.0), this version of the Java Runtime only recognizes ... up to 61.0". */
  private static final Pattern CLASS_VERSION = Pattern.compile("class file version (\\d+)");
  /** Class file major version of Java 1.0's successors start at 45 (Java 1.1); Java N is N + 44. */
  private static final int MAJOR_VERSION_OFFSET = 44;

  /** A provider with its kind (as provenance names it) and where its class came from. */
  public record Provided(String kind, String name, String className, PluginOrigin origin) {}

  private final Supplier<Index> index;

  private record Index(PluginPath path, Map<String, PeftMethodProvider> methods, Map<String, LossProvider> losses,
      Map<String, EvaluatorProvider> evaluators, Map<PluginProvider, Provided> provided) {}

  private PluginRegistry(Supplier<Index> index) {
    this.index = index;
  }

  /** Discovers the plugins visible to the thread's context class loader. */
  public static PluginRegistry discover() {
    return discover(Thread.currentThread().getContextClassLoader());
  }

  public static PluginRegistry discover(ClassLoader loader) {
    return discover(loader, PluginPath.NONE);
  }

  /**
   * Discovers the plugins visible to {@code loader}, marking those whose classes are in a jar of
   * {@code path} as outside plugins.
   *
   * @throws TfewException when a plugin cannot be loaded or two share a name
   */
  public static PluginRegistry discover(ClassLoader loader, PluginPath path) {
    Map<PluginProvider, Provided> provided = new IdentityHashMap<>();
    Index found = new Index(path,
        discover(PeftMethodProvider.class, loader, path, "PEFT method", "peft_method", provided),
        discover(LossProvider.class, loader, path, "loss", "loss", provided),
        discover(EvaluatorProvider.class, loader, path, "evaluator", "evaluator", provided),
        Collections.unmodifiableMap(provided));
    return new PluginRegistry(() -> found);
  }

  /**
   * A registry that discovers on first use, through {@code discovery} (called once, or again after it
   * failed). The CLI's commands receive their registry before the command line, which may name the
   * plugin path, is parsed.
   */
  public static PluginRegistry deferred(Supplier<PluginRegistry> discovery) {
    Index[] memo = new Index[1];
    return new PluginRegistry(() -> {
      synchronized (memo) {
        if (memo[0] == null) {
          memo[0] = discovery.get().index.get();
        }
        return memo[0];
      }
    });
  }

  public Map<String, PeftMethodProvider> methods() {
    return index.get().methods();
  }

  public Map<String, LossProvider> losses() {
    return index.get().losses();
  }

  public Map<String, EvaluatorProvider> evaluators() {
    return index.get().evaluators();
  }

  /** The plugin path the registry was discovered with ({@link PluginPath#NONE} when none). */
  public PluginPath pluginPath() {
    return index.get().path();
  }

  /** Where {@code provider}'s class came from; {@code provider} must be one of this registry's. */
  public PluginOrigin origin(PluginProvider provider) {
    Provided p = index.get().provided().get(provider);
    if (p == null) {
      throw new IllegalArgumentException(provider.getClass().getName() + " is not a provider of this registry");
    }
    return p.origin();
  }

  /** Every provider loaded from a jar of the plugin path, by jar (in plugin path order), then kind and name. */
  public Map<Path, List<Provided>> outsideProviders() {
    Map<Path, List<Provided>> byJar = new LinkedHashMap<>();
    for (Path jar : pluginPath().jars()) {
      byJar.put(jar, new ArrayList<>());
    }
    for (Provided p : index.get().provided().values()) {
      if (p.origin().outside()) {
        byJar.get(p.origin().location().orElseThrow()).add(p);
      }
    }
    byJar.values().forEach(l -> l.sort(Comparator.comparing(Provided::kind).thenComparing(Provided::name)));
    return byJar;
  }

  /** The PEFT method called {@code name}; the error lists the installed ones. */
  public PeftMethodProvider method(String name, String where) {
    return require(methods(), name, where, "PEFT method");
  }

  public LossProvider loss(String name, String where) {
    return require(losses(), name, where, "loss");
  }

  public EvaluatorProvider evaluator(String name, String where) {
    return require(evaluators(), name, where, "evaluator");
  }

  /**
   * The method whose Hugging Face PEFT {@code peft_type} is {@code peftType}, if one is installed: the one that
   * declares it as its own, else one that also reads it ({@link PeftMethodProvider#alsoReadsPeftTypes}).
   */
  public Optional<PeftMethodProvider> methodForPeftType(String peftType) {
    Optional<PeftMethodProvider> own = methods().values().stream()
        .filter(p -> p.peftType().map(t -> t.equalsIgnoreCase(peftType)).orElse(false))
        .findFirst();
    if (own.isPresent()) {
      return own;
    }
    return methods().values().stream()
        .filter(p -> p.alsoReadsPeftTypes().stream().anyMatch(t -> t.equalsIgnoreCase(peftType)))
        .findFirst();
  }

  private static <P extends PluginProvider> P require(Map<String, P> installed, String name, String where,
      String kind) {
    P p = installed.get(name == null ? "" : name.toLowerCase(Locale.ROOT));
    if (p == null) {
      throw new TfewException(where + ": no " + kind + " named '" + name + "' is installed; installed: "
          + (installed.isEmpty() ? "(none; add the plugin's jar to the plugin path: --plugin-path or TFEW_PLUGIN_PATH)"
              : String.join(", ", installed.keySet())));
    }
    return p;
  }

  private static <P extends PluginProvider> Map<String, P> discover(Class<P> type, ClassLoader loader,
      PluginPath path, String kind, String kindKey, Map<PluginProvider, Provided> provided) {
    Map<String, List<PluginOrigin>> listed = listedProviders(type, loader, path);
    // ServiceLoader would stop at the first class that fails with the error alone; loading each listed
    // class first names the jar that lists it.
    listed.forEach((className, origins) -> requireLoadable(type, className, origins, loader, kind));
    Map<String, P> found = new TreeMap<>();
    Iterator<P> providers = ServiceLoader.load(type, loader).iterator();
    while (true) {
      P provider;
      try {
        if (!providers.hasNext()) {
          break;
        }
        provider = providers.next();
      } catch (ServiceConfigurationError e) {
        throw new TfewException(failure(type, kind, e, listed));
      }
      PluginOrigin origin = PluginOrigin.of(provider.getClass(), path);
      String name;
      try {
        name = provider.name();
      } catch (RuntimeException e) {
        throw new TfewException(source(origin) + ": the " + kind + " plugin " + provider.getClass().getName()
            + " failed in name(): " + e);
      }
      if (name == null || !NAME.matcher(name).matches()) {
        throw new TfewException(source(origin) + ": " + provider.getClass().getName() + ": " + kind + " name '"
            + name + "' is not valid; use lowercase letters, digits and underscores, starting with a letter");
      }
      P previous = found.putIfAbsent(name, provider);
      if (previous != null) {
        PluginOrigin first = provided.get(previous).origin();
        throw new TfewException("two " + kind + " plugins are both named '" + name + "': "
            + previous.getClass().getName() + " (" + first.describeWithLocation() + ") and "
            + provider.getClass().getName() + " (" + origin.describeWithLocation() + "); remove one of them"
            + (first.outside() || origin.outside() ? " from the plugin path" : " from the class path"));
      }
      provided.put(provider, new Provided(kindKey, name, provider.getClass().getName(), origin));
    }
    return Collections.unmodifiableMap(found);
  }

  /** Each class named by a {@code META-INF/services} file of {@code type}, with the jars whose file names it. */
  private static Map<String, List<PluginOrigin>> listedProviders(Class<?> type, ClassLoader loader,
      PluginPath path) {
    String resource = "META-INF/services/" + type.getName();
    Map<String, List<PluginOrigin>> listed = new LinkedHashMap<>();
    try {
      for (URL file : Collections.list(loader.getResources(resource))) {
        PluginOrigin origin = PluginOrigin.of(containerOf(file, resource), path);
        for (String className : readServicesFile(file, origin, resource)) {
          listed.computeIfAbsent(className, c -> new ArrayList<>()).add(origin);
        }
      }
    } catch (IOException e) {
      throw new TfewException("cannot list the " + resource + " files on the class and plugin path ("
          + e.getMessage() + ")");
    }
    return listed;
  }

  /** The jar or directory a resource URL is in. */
  private static URL containerOf(URL resource, String name) throws IOException {
    URLConnection c = resource.openConnection();
    if (c instanceof JarURLConnection jar) {
      return jar.getJarFileURL();
    }
    String s = resource.toString();
    return s.endsWith(name) ? new URL(s.substring(0, s.length() - name.length())) : resource;
  }

  private static List<String> readServicesFile(URL file, PluginOrigin origin, String resource) {
    List<String> names = new ArrayList<>();
    try {
      URLConnection c = file.openConnection();
      // A cached JarFile would outlive the plugin class loader and hide a jar rebuilt in place.
      c.setUseCaches(false);
      try (BufferedReader r = new BufferedReader(new InputStreamReader(c.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          int hash = line.indexOf('#');
          String name = (hash < 0 ? line : line.substring(0, hash)).strip();
          if (!name.isEmpty()) {
            names.add(name);
          }
        }
      }
    } catch (IOException e) {
      throw new TfewException(source(origin) + ": cannot read " + resource + " (" + e.getMessage() + ")");
    }
    return names;
  }

  private static void requireLoadable(Class<?> type, String className, List<PluginOrigin> origins,
      ClassLoader loader, String kind) {
    String where = origins.stream().map(PluginRegistry::source).distinct().collect(Collectors.joining(" and "));
    String services = "META-INF/services/" + type.getName();
    Class<?> loaded;
    try {
      loaded = Class.forName(className, false, loader);
    } catch (ClassNotFoundException e) {
      throw new TfewException(where + ": " + services + " names the " + kind + " provider " + className
          + ", but no such class is in the jar or on the class path; fix the services file or rebuild the jar");
    } catch (UnsupportedClassVersionError e) {
      throw new TfewException(where + ": " + newerJava(className, e));
    } catch (LinkageError e) {
      throw new TfewException(where + ": the " + kind + " provider " + className + " cannot be loaded ("
          + e.getClass().getSimpleName() + ": " + e.getMessage() + "); a class it needs is missing or "
          + "incompatible: add the jar that has it to the plugin path, or rebuild the plugin against this tfew-api");
    }
    if (!type.isAssignableFrom(loaded)) {
      throw new TfewException(where + ": " + services + " names " + className + ", which does not implement "
          + type.getName() + "; fix the services file");
    }
  }

  /** Which Java a class file asks for, from the JVM's message, against the one running. */
  static String newerJava(String className, UnsupportedClassVersionError e) {
    Matcher m = CLASS_VERSION.matcher(String.valueOf(e.getMessage()));
    String needs = m.find() ? "Java " + (Integer.parseInt(m.group(1)) - MAJOR_VERSION_OFFSET)
        : "a newer Java";
    int running = Runtime.version().feature();
    return "the class " + className + " was compiled for " + needs + ", but tfew runs on Java " + running
        + "; run tfew with " + needs + " or newer, or rebuild the plugin with javac --release " + running;
  }

  /** The message for a provider that ServiceLoader found but could not instantiate. */
  private static String failure(Class<?> type, String kind, ServiceConfigurationError e,
      Map<String, List<PluginOrigin>> listed) {
    // The JDK's message names the provider class; the longest listed name it contains is that class.
    String message = String.valueOf(e.getMessage());
    String className = listed.keySet().stream().filter(message::contains)
        .max(Comparator.comparingInt(String::length)).orElse(null);
    String where = className != null
        ? listed.get(className).stream().map(PluginRegistry::source).distinct().collect(Collectors.joining(" and "))
        : "a " + kind + " plugin";
    Throwable cause = e.getCause();
    if (cause instanceof ExceptionInInitializerError init && init.getCause() != null) {
      cause = init.getCause();
    }
    String reason = cause == null ? e.getMessage()
        : (className == null ? "" : className + " ")
            + (cause instanceof UnsupportedClassVersionError u && className != null ? newerJava(className, u)
                : "could not be created: " + cause.getClass().getName()
                    + (cause.getMessage() == null ? "" : ": " + cause.getMessage()));
    String fix = cause instanceof NoSuchMethodException
        ? "give the provider a public no-argument constructor"
        : "a provider's constructor must succeed without reading files or loading native code (see "
            + PluginProvider.class.getName() + "); fix or remove the plugin";
    return where + ": " + reason + "; " + fix;
  }

  /** How messages name where a provider's class or services file came from. */
  private static String source(PluginOrigin origin) {
    return origin.outside() ? "plugin jar " + origin.describe() : origin.describeWithLocation();
  }
}
