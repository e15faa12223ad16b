package dev.threadbare.gitserve;

/** Thrown when the token database cannot be opened, migrated, read or written. */
public final class TokenStoreException extends GitServeException {
  private static final long serialVersionUID = 1L;

  /** Wraps the storage failure, naming the database file. */
  public TokenStoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
