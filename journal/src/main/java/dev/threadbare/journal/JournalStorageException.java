package dev.threadbare.journal;

/**
 * The database under a journal failed: it could not be opened, migrated, read or written. When an
 * append fails this way nothing of it is stored, except when the failure hit the commit itself; in
 * both cases appending the same entries again is safe, since stored identities are skipped.
 */
public final class JournalStorageException extends JournalException {
  private static final long serialVersionUID = 1L;

  public JournalStorageException(String message, Throwable cause) {
    super(message, cause);
  }
}
