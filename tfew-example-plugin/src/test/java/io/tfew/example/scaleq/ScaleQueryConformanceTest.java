package io.tfew.example.scaleq;

import io.tfew.testkit.PeftMethodConformanceTest;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The test kit's checks on {@code scale_q}: found by name, options, nothing to train (so the training
 * and reload checks are skipped), an unknown option refused. Every query is its target, so it has no
 * options that match no site.
 */
class ScaleQueryConformanceTest extends PeftMethodConformanceTest {
  @Override
  protected String methodName() {
    return "scale_q";
  }

  @Override
  protected Map<String, Object> config() {
    return Map.of("factor", 0.5);
  }

  @Override
  protected OptionalLong expectedParameterCount() {
    return OptionalLong.of(0);
  }
}
