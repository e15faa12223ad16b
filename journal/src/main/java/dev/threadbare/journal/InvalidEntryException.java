package dev.threadbare.journal;

/**
 * An entry given to {@link dev.threadbare.core.journal.Journal#append} breaks a rule of the journal
 * (an empty identity field, a NUL character); the whole call is refused and nothing of it is
 * stored.
 */
public final class InvalidEntryException extends JournalException {
  private static final long serialVersionUID = 1L;

  public InvalidEntryException(String message) {
    super(message);
  }
}
