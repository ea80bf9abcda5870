package io.tfew.api;

import io.tfew.api.config.ConfigField;
import java.util.List;

/**
 * What every plugin kind has in common: a name that YAML files use, a description, and the declared
 * keys of its config section.
 *
 * <p>Providers are found with {@link java.util.ServiceLoader} and must be cheap: no native loading,
 * file IO or graph building in the constructor or in these methods. Names are lowercase, unique per
 * plugin kind, stored in provenance and adapter files, and never renamed.
 *
 * <pre>{@code
 * public final class ScaleQueryProvider implements PeftMethodProvider {
 *   public String name() { return "scale_q"; }
 *   public String description() { return "multiplies every attention query by a constant"; }
 *   public List<ConfigField> configFields() {
 *     return List.of(ConfigField.ofDouble("factor", 2.0, "the constant"));
 *   }
 *   public PeftMethod create(ConfigSection c) { return new ScaleQueryMethod(c.getDouble("factor")); }
 * }
 * }</pre>
 */
public interface PluginProvider {
  /** The name YAML and the CLI use, e.g. {@code ia3}; lowercase letters, digits and underscores. */
  String name();

  /** One line for {@code tfew plugins}. */
  String description();

  /** The keys of this plugin's YAML section, with types and defaults. */
  List<ConfigField> configFields();
}
