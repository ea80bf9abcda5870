/**
 * A test kit for PEFT plugins written outside tfew: {@link io.tfew.testkit.PluginTestKit} checks one
 * installed method against the real engine on a tiny random T5 (train, loss falls, save, reload,
 * re-score, count), and {@link io.tfew.testkit.PeftMethodConformanceTest} runs those checks as a JUnit 5
 * base class. Add {@code io.tfew:tfew-testkit} in test scope; see docs/writing-a-peft-method.md.
 */
package io.tfew.testkit;
