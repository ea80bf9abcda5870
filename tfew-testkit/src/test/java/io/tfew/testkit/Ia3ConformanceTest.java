package io.tfew.testkit;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/** The conformance base class run on a built-in method, (IA)^3, which must pass every check. */
class Ia3ConformanceTest extends PeftMethodConformanceTest {
  @Override
  protected String methodName() {
    return "ia3";
  }

  /**
   * The tiny model has 2 encoder layers (self-attention k, v of width 4 heads x 8 = 32, FFN inner 64) and 2
   * decoder layers (self- and cross-attention k, v, FFN): 2 x (32 + 32 + 64) + 2 x (4 x 32 + 64).
   */
  @Override
  protected OptionalLong expectedParameterCount() {
    return OptionalLong.of(2 * (32 + 32 + 64) + 2 * (4 * 32 + 64));
  }

  @Override
  protected Optional<Map<String, Object>> configMatchingNoSite() {
    return Optional.of(Map.of("target_modules", List.of("no\\.such\\.module"), "feedforward", false));
  }
}
