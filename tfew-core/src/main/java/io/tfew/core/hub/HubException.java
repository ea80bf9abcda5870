package io.tfew.core.hub;

import io.tfew.api.TfewException;

/**
 * A model reference that cannot be resolved: unknown repository, not cached while offline, failed or
 * corrupt download. The message names the repository, the cache location or URL, and the fix.
 */
public class HubException extends TfewException {
  private static final long serialVersionUID = 1L;

  public HubException(String message) {
    super(message);
  }

  public HubException(String message, Throwable cause) {
    super(message, cause);
  }
}
