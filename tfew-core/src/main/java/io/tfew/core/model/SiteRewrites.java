package io.tfew.core.model;

import io.tfew.api.TfewException;
import io.tfew.api.model.AttentionSite;
import io.tfew.api.model.EmbeddedInput;
import io.tfew.api.model.EmbeddingSite;
import io.tfew.api.model.FfnSite;
import io.tfew.api.model.KeyValue;
import io.tfew.api.model.LinearSite;
import io.tfew.api.model.ModelRewriter;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * The active methods' hooks, applied in configuration order, with a record of the sites each one
 * changed (a method that changes nothing is almost always a mistyped target pattern).
 */
public final class SiteRewrites {

  /**
   * A method, the name it was configured under and its resolved options (for messages: a method that
   * matches no site is reported with its target options).
   */
  public record Active(String name, ModelRewriter rewriter, Map<String, Object> options) {
    public Active {
      options = options == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(options));
    }

    /** A method whose options are not known here (tests, internal graphs). */
    public Active(String name, ModelRewriter rewriter) {
      this(name, rewriter, Map.of());
    }
  }

  private final List<Active> active;
  private final Map<String, Set<String>> touched = new LinkedHashMap<>();
  private Consumer<String> beforeHook = name -> { };

  public SiteRewrites(List<Active> active) {
    this.active = List.copyOf(active);
    for (Active a : active) {
      touched.put(a.name(), new LinkedHashSet<>());
    }
  }

  /** Called with a method's name before each of its hooks runs (parameter ownership). */
  public void beforeEachHook(Consumer<String> listener) {
    beforeHook = listener;
  }

  /** The configured method names, in order. */
  public List<String> names() {
    return active.stream().map(Active::name).toList();
  }

  /** The method configured under {@code name}. */
  public ModelRewriter rewriter(String name) {
    return active.stream().filter(a -> a.name().equals(name)).findFirst().map(Active::rewriter)
        .orElseThrow(() -> new TfewException("no active PEFT method '" + name + "'; active: " + names()));
  }

  public static SiteRewrites none() {
    return new SiteRewrites(List.of());
  }

  /**
   * Runs every method's {@link ModelRewriter#beginGraph} in configuration order, each with its
   * parameters attributed to it; core calls this once per graph, before any program is built.
   */
  public void beginGraph(ModelGraphContext context) {
    for (Active a : active) {
      beforeHook.accept(a.name());
      try {
        a.rewriter().beginGraph(context.scoped(a.name()));
      } catch (RuntimeException e) {
        throw failure(a.name(), "beginGraph (before any site)", e);
      }
    }
  }

  /**
   * Chains the methods' weights at a linear site. Only one method may return a new weight there: a second
   * would either discard the first's weight or have to know how it was built (a dequantised QLoRA weight,
   * a merged LoRA update), so the pair is refused naming both.
   */
  public Operand<TFloat32> linearWeight(LinearSite site, Operand<TFloat32> weight) {
    String[] replacedBy = {null};
    return chain(site.path(), weight, (a, w) -> {
      Operand<TFloat32> next = a.rewriter().linearWeight(site, w);
      if (next != w && next != null) {
        if (replacedBy[0] != null) {
          throw new TfewException("PEFT methods '" + replacedBy[0] + "' and '" + a.name() + "' both replace the "
              + "weight of " + site.path() + " (linearWeight); only one method per site may replace a weight, so "
              + "these two cannot be combined. Restrict one method's targets so they do not overlap.");
        }
        replacedBy[0] = a.name();
      }
      return next;
    });
  }

  public Operand<TFloat32> linearOutput(LinearSite site, Operand<TFloat32> input, Operand<TFloat32> output) {
    return chain(site.path(), output, (a, y) -> a.rewriter().linearOutput(site, input, y));
  }

  public Operand<TFloat32> ffnActivation(FfnSite site, Operand<TFloat32> activation) {
    return chain(site.path(), activation, (a, h) -> a.rewriter().ffnActivation(site, h));
  }

  public KeyValue keyValue(AttentionSite site, KeyValue kv) {
    return chain(site.path(), kv, (a, x) -> a.rewriter().keyValue(site, x));
  }

  public EmbeddedInput inputEmbeddings(EmbeddingSite site, EmbeddedInput input) {
    return chain(site.path(), input, (a, x) -> a.rewriter().inputEmbeddings(site, x));
  }

  /** Sites changed by each method, by method name, in configuration order. */
  public Map<String, Set<String>> touched() {
    return touched;
  }

  /**
   * Fails naming the first method that changed no site of the model and declared nothing to train
   * (a method that only makes base weights trainable, like layer-norm tuning, changes no site).
   */
  public void requireEveryMethodTouchedASite(TrainableParameters parameters) {
    for (Active a : active) {
      if (touched.get(a.name()).isEmpty() && parameters.declaredBy(a.name()).isEmpty()) {
        throw new TfewException("PEFT method '" + a.name() + "' matched no site of this model" + targets(a)
            + "; check its target patterns against the module paths (run 'tfew plugins --model DIR' to list them)");
      }
    }
  }

  /**
   * The options that choose a method's sites, for the zero-match message: those whose key names targets or
   * modules ({@code target_modules}, {@code feedforward_modules}, ...), or every option when none does.
   */
  private static String targets(Active a) {
    Map<String, Object> chosen = new LinkedHashMap<>();
    a.options().forEach((k, v) -> {
      if (k.contains("target") || k.contains("module")) {
        chosen.put(k, v);
      }
    });
    Map<String, Object> shown = chosen.isEmpty() ? a.options() : chosen;
    if (shown.isEmpty()) {
      return "";
    }
    java.util.StringJoiner joined = new java.util.StringJoiner(", ", " with ", "");
    shown.forEach((k, v) -> joined.add(k + " = " + v));
    return joined.toString();
  }

  private interface Hook<T> {
    T apply(Active method, T value);
  }

  private <T> T chain(String path, T value, Hook<T> hook) {
    T current = value;
    for (Active a : active) {
      beforeHook.accept(a.name());
      T next;
      try {
        next = hook.apply(a, current);
      } catch (RuntimeException e) {
        throw failure(a.name(), "site " + path, e);
      }
      if (next == null) {
        throw new TfewException("PEFT method '" + a.name() + "' returned nothing at site " + path);
      }
      if (next != current) {
        touched.get(a.name()).add(path);
      }
      current = next;
    }
    return current;
  }

  /**
   * A plugin's hook failed while the graph was built: name the method, where, and the cause, so the
   * author sees it as one usage error (exit 2) rather than a stack trace. Core's own refusals (a
   * TfewException from a parameter declaration) keep their message, prefixed with the place.
   */
  private static TfewException failure(String method, String where, RuntimeException e) {
    if (e instanceof TfewException && e.getMessage() != null && e.getMessage().startsWith("PEFT method")) {
      // already names the method(s): a nested failure, or core refusing a combination
      return (TfewException) e;
    }
    String cause = e instanceof TfewException ? e.getMessage() : e.getClass().getName() + ": " + e.getMessage();
    return new TfewException("PEFT method '" + method + "' failed at " + where + " while the graph was built: "
        + cause, e);
  }
}
