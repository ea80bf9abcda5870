package io.tfew.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tfew.api.peft.PeftMethodProvider;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The checks every PEFT method should pass, as JUnit 5 tests: subclass it in your plugin's
 * {@code src/test/java}, name the method, and JUnit runs them all.
 *
 * <pre>{@code
 * class FfnGateConformanceTest extends PeftMethodConformanceTest {
 *   protected String methodName() { return "ffn_gate"; }
 *   protected Map<String, Object> config() { return Map.of("init", 1.0); }
 *   protected OptionalLong expectedParameterCount() { return OptionalLong.of(4); }    // 2 + 2 FFNs
 *   protected Optional<Map<String, Object>> configMatchingNoSite() {
 *     return Optional.of(Map.of("target_modules", List.of("no\\.such\\.module")));
 *   }
 * }
 * }</pre>
 *
 * <p>The tests: the provider is found by name; the default options validate and create a method;
 * training on the kit's task lowers the loss; the saved adapter reloads bit for bit and re-scores
 * identically, with the same options; the parameter count is as expected; an unknown option is
 * rejected; and options that match no site are rejected. One training run serves the training and
 * reload tests. A method that declares no trainable parameter skips the training tests.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class PeftMethodConformanceTest {
  private PluginTestKit kit;
  private TrainedAdapter trained;

  /** The method's name, as in YAML's {@code peft[0].method}. */
  protected abstract String methodName();

  /** The method's options for every test; the declared defaults when empty. */
  protected Map<String, Object> config() {
    return Map.of();
  }

  /** Trainable values on the kit's tiny model ({@link PluginTestKit#modelConfig()}), when you know them. */
  protected OptionalLong expectedParameterCount() {
    return OptionalLong.empty();
  }

  /** Options whose target patterns match no site of the model; the test is skipped when empty. */
  protected Optional<Map<String, Object>> configMatchingNoSite() {
    return Optional.empty();
  }

  /** Adjusts the kit (seed, steps, optimizer) before any test runs. */
  protected PluginTestKit configure(PluginTestKit kit) {
    return kit;
  }

  /** The kit every test of this class shares; its temporary directory goes when the class's tests end. */
  protected final PluginTestKit kit() {
    if (kit == null) {
      kit = configure(PluginTestKit.forMethod(methodName()).withConfig(config()));
    }
    return kit;
  }

  private TrainedAdapter trained() {
    assumeTrue(kit().parameterCount() > 0, "method '" + methodName() + "' declares no trainable parameter");
    if (trained == null) {
      trained = kit().train();
    }
    return trained;
  }

  @Test
  void providerIsFoundByName() {
    PeftMethodProvider provider = kit().provider();
    assertEquals(methodName(), provider.name(), "the provider's name()");
    assertNotNull(provider.description(), "description()");
    assertTrue(!provider.description().isBlank(), "description() is blank; tfew plugins prints it");
  }

  @Test
  void optionsValidateAndCreateAMethod() {
    assertNotNull(kit().provider().create(kit().config()), "create() returned null");
  }

  @Test
  void trainingLowersTheLoss() {
    trained().assertLossFalls();
  }

  @Test
  void savedAdapterReloadsAndReScoresIdentically() {
    trained().assertReloadScoresIdentically();
  }

  @Test
  void parameterCountIsAsExpected() {
    assumeTrue(expectedParameterCount().isPresent(), "no expectedParameterCount() given");
    assertEquals(expectedParameterCount().getAsLong(), kit().parameterCount(), "trainable values on the tiny model");
  }

  @Test
  void unknownOptionIsRejected() {
    kit().assertRejectsUnknownKey();
  }

  @Test
  void optionsMatchingNoSiteAreRejected() {
    assumeTrue(configMatchingNoSite().isPresent(), "no configMatchingNoSite() given");
    kit().assertRejectsZeroTargetSites(configMatchingNoSite().get());
  }

  @AfterAll
  void closeKit() {
    if (kit != null) {
      kit.close();
    }
  }
}
