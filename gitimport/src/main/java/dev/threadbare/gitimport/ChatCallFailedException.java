package dev.threadbare.gitimport;

/**
 * A Slack Web API call failed for good (an error answer such as {@code not_in_channel}, or still
 * rate limited after the retries). What was posted before stays posted; running the import again
 * posts only the rest. Immutable.
 */
public final class ChatCallFailedException extends GitImportException {
  private static final long serialVersionUID = 1L;

  /** A chat failure described by {@code message}, caused by {@code cause} (may be null). */
  public ChatCallFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
