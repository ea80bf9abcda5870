package io.tfew.core.tokenize;

/**
 * Keeps DJL's tokenizer off the network; see the package documentation for why.
 *
 * <p>DJL reads these settings from the environment or, failing that, from system properties, so
 * an explicit choice in either place is left alone.
 */
final class DjlOffline {
  static final String OFFLINE_ENV = "DJL_OFFLINE";
  static final String OFFLINE_PROPERTY = "ai.djl.offline";
  static final String TRACKING = "OPT_OUT_TRACKING";

  private DjlOffline() {}

  static synchronized void ensure() {
    setUnlessConfigured(OFFLINE_ENV, OFFLINE_PROPERTY, "true");
    setUnlessConfigured(TRACKING, TRACKING, "true");
  }

  private static void setUnlessConfigured(String env, String property, String value) {
    if (System.getenv(env) == null && System.getProperty(property) == null) {
      System.setProperty(property, value);
    }
  }
}
