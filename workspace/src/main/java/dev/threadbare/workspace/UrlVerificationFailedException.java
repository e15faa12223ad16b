package dev.threadbare.workspace;

/**
 * The Events API Request URL did not answer the {@code url_verification} handshake with the
 * challenge. Immutable; safe to share between threads.
 */
public final class UrlVerificationFailedException extends WorkspaceException {

  private static final long serialVersionUID = 1L;

  /** A failed handshake described by {@code message}, caused by {@code cause} (may be null). */
  public UrlVerificationFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
