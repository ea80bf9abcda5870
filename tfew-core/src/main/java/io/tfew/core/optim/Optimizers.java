package io.tfew.core.optim;

import io.tfew.api.TfewException;
import java.util.List;

/**
 * The optimizers by the names configs and the CLI use.
 *
 * <pre>{@code
 * Optimizer o = Optimizers.byName("adamw", "bench memory --methods full:adamw");
 * }</pre>
 */
public final class Optimizers {
  /** Every name {@link #byName} knows, the default first. */
  public static final List<String> NAMES = List.of("adafactor", "adamw", "sgd");

  private Optimizers() {}

  /** A fresh optimizer with its default options; {@code where} names the setting in the error. */
  public static Optimizer byName(String name, String where) {
    return switch (name) {
      case "adafactor" -> new Adafactor();
      case "adamw" -> new AdamW();
      case "sgd" -> new Sgd();
      default -> throw new TfewException(where + ": optimizer '" + name + "' is not supported; use one of " + NAMES);
    };
  }
}
