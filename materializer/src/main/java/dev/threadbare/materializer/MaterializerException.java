package dev.threadbare.materializer;

import dev.threadbare.core.ThreadbareException;

/**
 * Root of the materializer's failures. Its message names the offending input (a channel, a ref, a
 * path, a git store) and the likely fix.
 */
public class MaterializerException extends ThreadbareException {
  private static final long serialVersionUID = 1L;

  public MaterializerException(String message) {
    super(message);
  }

  public MaterializerException(String message, Throwable cause) {
    super(message, cause);
  }
}
