package com.example.ffngate;

import io.tfew.testkit.PeftMethodConformanceTest;
import io.tfew.testkit.PluginTestKit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * tfew's conformance checks on {@code ffn_gate}: found by name, options validated, trains (the loss
 * falls), the saved adapter reloads bit for bit and re-scores identically, one gate per FFN, an unknown
 * option and a pattern matching nothing are rejected.
 */
class FfnGateConformanceTest extends PeftMethodConformanceTest {
  @Override
  protected String methodName() {
    return "ffn_gate";
  }

  /** Four scalars move slowly at the kit's default rate of 0.01. */
  @Override
  protected PluginTestKit configure(PluginTestKit kit) {
    return kit.withOptimizer("adamw", 0.1);
  }

  /** The kit's model has 2 encoder and 2 decoder blocks, so four FFNs and four gates. */
  @Override
  protected OptionalLong expectedParameterCount() {
    return OptionalLong.of(4);
  }

  @Override
  protected Optional<Map<String, Object>> configMatchingNoSite() {
    return Optional.of(Map.of("target_modules", List.of("no\\.such\\.module")));
  }
}
