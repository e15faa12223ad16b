package dev.threadbare.prod;

import dev.threadbare.core.ThreadbareException;

/** The prod module's root exception: a message that names the input and the fix. */
public class ProdException extends ThreadbareException {
  private static final long serialVersionUID = 1L;

  public ProdException(String message) {
    super(message);
  }

  public ProdException(String message, Throwable cause) {
    super(message, cause);
  }
}
