package io.tfew.core.checkpoint;

import io.tfew.api.TfewException;

/**
 * A weights file or model directory that cannot be read as a checkpoint: missing, truncated, corrupt
 * or inconsistent. The message names the file, the tensor or field at fault, and what to do.
 */
public class CheckpointException extends TfewException {
  private static final long serialVersionUID = 1L;

  public CheckpointException(String message) {
    super(message);
  }

  public CheckpointException(String message, Throwable cause) {
    super(message, cause);
  }
}
