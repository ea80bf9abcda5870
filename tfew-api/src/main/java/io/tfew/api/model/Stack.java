package io.tfew.api.model;

/** Which half of the encoder-decoder a site belongs to; also the first part of its HF module path. */
public enum Stack {
  ENCODER("encoder"),
  DECODER("decoder");

  private final String prefix;

  Stack(String prefix) {
    this.prefix = prefix;
  }

  /** The HF module-path prefix: {@code encoder} or {@code decoder}. */
  public String prefix() {
    return prefix;
  }
}
