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

  /** A method and the name it was configured under. */
  public record Active(String name, ModelRewriter rewriter) {}

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

  public Operand<TFloat32> linearWeight(LinearSite site, Operand<TFloat32> weight) {
    return chain(site.path(), weight, (a, w) -> a.linearWeight(site, w));
  }

  public Operand<TFloat32> linearOutput(LinearSite site, Operand<TFloat32> input, Operand<TFloat32> output) {
    return chain(site.path(), output, (a, y) -> a.linearOutput(site, input, y));
  }

  public Operand<TFloat32> ffnActivation(FfnSite site, Operand<TFloat32> activation) {
    return chain(site.path(), activation, (a, h) -> a.ffnActivation(site, h));
  }

  public KeyValue keyValue(AttentionSite site, KeyValue kv) {
    return chain(site.path(), kv, (a, x) -> a.keyValue(site, x));
  }

  public EmbeddedInput inputEmbeddings(EmbeddingSite site, EmbeddedInput input) {
    return chain(site.path(), input, (a, x) -> a.inputEmbeddings(site, x));
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
    for (Map.Entry<String, Set<String>> e : touched.entrySet()) {
      if (e.getValue().isEmpty() && parameters.declaredBy(e.getKey()).isEmpty()) {
        throw new TfewException("PEFT method '" + e.getKey() + "' matched no site of this model; check its "
            + "target patterns against the module paths (run 'tfew plugins --model DIR' to list them)");
      }
    }
  }

  private interface Hook<T> {
    T apply(ModelRewriter rewriter, T value);
  }

  private <T> T chain(String path, T value, Hook<T> hook) {
    T current = value;
    for (Active a : active) {
      beforeHook.accept(a.name());
      T next = hook.apply(a.rewriter(), current);
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
}
