package dev.threadbare.journal;

import dev.threadbare.core.ThreadbareException;

/**
 * Root of every exception the journal throws. Its message names the journal (database or file) and
 * what failed. Unchecked; immutable.
 */
public class JournalException extends ThreadbareException {
  private static final long serialVersionUID = 1L;

  public JournalException(String message) {
    super(message);
  }

  public JournalException(String message, Throwable cause) {
    super(message, cause);
  }
}
