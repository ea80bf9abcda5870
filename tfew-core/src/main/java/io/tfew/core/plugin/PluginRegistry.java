package io.tfew.core.plugin;

import io.tfew.api.PluginProvider;
import io.tfew.api.TfewException;
import io.tfew.api.eval.EvaluatorProvider;
import io.tfew.api.loss.LossProvider;
import io.tfew.api.peft.PeftMethodProvider;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The plugins on the class path, found with {@link ServiceLoader} and indexed by name.
 *
 * <p>Core never names a plugin class: YAML and the CLI name plugins, and this registry resolves the
 * names. Two plugins of one kind under one name are an error naming both classes, not a silent
 * first-wins.
 */
public final class PluginRegistry {
  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]*");

  private final Map<String, PeftMethodProvider> methods;
  private final Map<String, LossProvider> losses;
  private final Map<String, EvaluatorProvider> evaluators;

  private PluginRegistry(ClassLoader loader) {
    methods = discover(PeftMethodProvider.class, loader, "PEFT method");
    losses = discover(LossProvider.class, loader, "loss");
    evaluators = discover(EvaluatorProvider.class, loader, "evaluator");
  }

  /** Discovers the plugins visible to the thread's context class loader. */
  public static PluginRegistry discover() {
    return new PluginRegistry(Thread.currentThread().getContextClassLoader());
  }

  public static PluginRegistry discover(ClassLoader loader) {
    return new PluginRegistry(loader);
  }

  public Map<String, PeftMethodProvider> methods() {
    return methods;
  }

  public Map<String, LossProvider> losses() {
    return losses;
  }

  public Map<String, EvaluatorProvider> evaluators() {
    return evaluators;
  }

  /** The PEFT method called {@code name}; the error lists the installed ones. */
  public PeftMethodProvider method(String name, String where) {
    return require(methods, name, where, "PEFT method");
  }

  public LossProvider loss(String name, String where) {
    return require(losses, name, where, "loss");
  }

  public EvaluatorProvider evaluator(String name, String where) {
    return require(evaluators, name, where, "evaluator");
  }

  /**
   * The method whose Hugging Face PEFT {@code peft_type} is {@code peftType}, if one is installed: the one that
   * declares it as its own, else one that also reads it ({@link PeftMethodProvider#alsoReadsPeftTypes}).
   */
  public Optional<PeftMethodProvider> methodForPeftType(String peftType) {
    Optional<PeftMethodProvider> own = methods.values().stream()
        .filter(p -> p.peftType().map(t -> t.equalsIgnoreCase(peftType)).orElse(false))
        .findFirst();
    if (own.isPresent()) {
      return own;
    }
    return methods.values().stream()
        .filter(p -> p.alsoReadsPeftTypes().stream().anyMatch(t -> t.equalsIgnoreCase(peftType)))
        .findFirst();
  }

  private static <P extends PluginProvider> P require(Map<String, P> installed, String name, String where,
      String kind) {
    P p = installed.get(name == null ? "" : name.toLowerCase(Locale.ROOT));
    if (p == null) {
      throw new TfewException(where + ": no " + kind + " named '" + name + "' is installed; installed: "
          + (installed.isEmpty() ? "(none; add the plugin's jar to the class path)"
              : String.join(", ", installed.keySet())));
    }
    return p;
  }

  private static <P extends PluginProvider> Map<String, P> discover(Class<P> type, ClassLoader loader,
      String kind) {
    Map<String, P> found = new TreeMap<>();
    try {
      for (P provider : ServiceLoader.load(type, loader)) {
        String name = provider.name();
        if (name == null || !NAME.matcher(name).matches()) {
          throw new TfewException(provider.getClass().getName() + ": " + kind + " name '" + name
              + "' is not valid; use lowercase letters, digits and underscores, starting with a letter");
        }
        P previous = found.putIfAbsent(name, provider);
        if (previous != null) {
          throw new TfewException("two " + kind + " plugins are both named '" + name + "': "
              + previous.getClass().getName() + " and " + provider.getClass().getName()
              + "; remove one of their jars from the class path");
        }
      }
    } catch (ServiceConfigurationError e) {
      throw new TfewException("a " + kind + " plugin could not be loaded: " + e.getMessage()
          + "; check the plugin jar's META-INF/services/" + type.getName(), e);
    }
    return Collections.unmodifiableMap(found);
  }
}
