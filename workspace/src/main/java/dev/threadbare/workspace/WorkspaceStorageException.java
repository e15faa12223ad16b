package dev.threadbare.workspace;

/**
 * The workspace's database could not be opened, migrated or written. Immutable; safe to share
 * between threads.
 */
public final class WorkspaceStorageException extends WorkspaceException {

  private static final long serialVersionUID = 1L;

  /** A storage failure described by {@code message}, caused by {@code cause}. */
  public WorkspaceStorageException(String message, Throwable cause) {
    super(message, cause);
  }
}
