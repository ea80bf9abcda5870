package io.tfew.api.config;

import io.tfew.api.TfewException;

/** A config key that is unknown, missing, or has a value of the wrong type or range. */
public class ConfigException extends TfewException {
  private static final long serialVersionUID = 1L;

  public ConfigException(String message) {
    super(message);
  }
}
