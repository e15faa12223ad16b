package dev.threadbare.journal;

/** A journal was used after {@link dev.threadbare.core.journal.Journal#close()}. */
public final class JournalClosedException extends JournalException {
  private static final long serialVersionUID = 1L;

  public JournalClosedException(String message) {
    super(message);
  }
}
