package dev.threadbare.gitimport;

/**
 * The repository to import cannot be opened or cloned (not a git repository, no commit at HEAD, a
 * URL that does not answer). Nothing was posted. Immutable.
 */
public final class SourceUnreadableException extends GitImportException {
  private static final long serialVersionUID = 1L;

  /** A source failure described by {@code message}, caused by {@code cause} (may be null). */
  public SourceUnreadableException(String message, Throwable cause) {
    super(message, cause);
  }
}
