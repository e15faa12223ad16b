package dev.threadbare.gitimport;

/**
 * The root of every failure of a git import: a source that cannot be read, a chat call that fails
 * for good. Unchecked; each subclass names the failure and its message names the input and the
 * likely fix. Immutable.
 */
public class GitImportException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** A failure described by {@code message}. */
  public GitImportException(String message) {
    super(message);
  }

  /** A failure described by {@code message}, caused by {@code cause}. */
  public GitImportException(String message, Throwable cause) {
    super(message, cause);
  }
}
